// Home Assistant's microWakeWord detectors (int8 TFLite from the pymicro_wakeword wheel) streamed
// over 30 steps against one LiteRT interpreter invoked 30 times (Tests/Goldens/microwakeword_*,
// tools/goldens/make_microwakeword_goldens.py). The models keep their past frames in resource
// variables; imported with `exposingState` (`edgeflow parse --state-io`) each variable is an
// input and an output NAME:next, and the test carries them from step to step. Every step's
// probability and every variable's new value must equal LiteRT's reference kernels byte for byte,
// on the interpreter and on the compiled .efx.

import EFCore
import EFInterpreter
import EFIR
import EFTestSupport
import EFTFLite
import XCTest

final class MicroWakeWordStreamingTests: XCTestCase {
    func testOkayNabuStreamsLikeLiteRT() throws { try checkStreaming("microwakeword_okay_nabu") }
    func testHeyJarvisStreamsLikeLiteRT() throws { try checkStreaming("microwakeword_hey_jarvis") }

    /// Without --state-io the model keeps LiteRT's interface and starts from the initial state:
    /// its first step is the golden's first step.
    func testFirstStepWithoutExposedState() throws {
        let golden = try GoldenCase.load("microwakeword_okay_nabu")
        let graph = try TFLiteImporter.importModel(at: golden.modelURL)
        XCTAssertEqual(graph.inputs, ["serving_default_input_audio:0"])
        let audio = try XCTUnwrap(golden.inputTensors()["serving_default_input_audio:0"])
        let outputs = try Interpreter(graph: graph).run(["serving_default_input_audio:0": try step(audio, 0)])
        let expected = try XCTUnwrap(golden.referenceOutputs()["StatefulPartitionedCall:0"]).tensor
        XCTAssertEqual(outputs["StatefulPartitionedCall:0"]?.data, try step(expected, 0).data)
    }

    private func checkStreaming(_ name: String) throws {
        let golden = try GoldenCase.load(name)
        let imported = try TFLiteImporter.importModel(at: golden.modelURL, exposingState: true)
        let graph = try GoldenRunner.roundTripThroughArchive(imported, source: golden.modelURL)
        var given = try golden.inputTensors()
        let audioName = "serving_default_input_audio:0"
        let audio = try XCTUnwrap(given.removeValue(forKey: audioName))
        XCTAssertEqual(Set(graph.inputs), Set(given.keys).union([audioName]))
        let expected = try golden.referenceOutputs().mapValues(\.tensor)
        let compiled = try ExecutableRoundTrip.load(graph)
        var states = (reference: given, compiled: given)
        for index in 0..<audio.shape[0] {
            let input = try step(audio, index)
            let reference = try Interpreter(graph: graph).run(states.reference.merging([audioName: input]) { $1 })
            let fast = try compiled.run(states.compiled.merging([audioName: input]) { $1 })
            for (output, stacked) in expected {
                let wanted = try step(stacked, index).data
                XCTAssertEqual(reference[output]?.data, wanted, "\(name) step \(index) \(output) (interpreter)")
                XCTAssertEqual(fast[output]?.data, wanted, "\(name) step \(index) \(output) (compiled)")
            }
            for variable in given.keys {
                states.reference[variable] = reference["\(variable):next"]
                states.compiled[variable] = fast["\(variable):next"]
            }
        }
    }

    /// Entry `index` of a tensor stacked along its first axis.
    private func step(_ stacked: Tensor, _ index: Int) throws -> Tensor {
        let shape = Array(stacked.shape.dropFirst())
        let size = shape.reduce(1, *) * stacked.dtype.byteSize
        return stacked.withUnsafeBytes { bytes in
            Tensor(dtype: stacked.dtype, shape: shape,
                   bytes: UnsafeRawBufferPointer(rebasing: bytes[(index * size)..<((index + 1) * size)]))
        }
    }
}
