// EFOneDNNTests: placeholder until the first test lands.
import XCTest
