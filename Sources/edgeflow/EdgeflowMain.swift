// The executable: everything lives in EFCLI.

import EFCLI

@main
struct EdgeflowMain {
    static func main() { EdgeflowCommand.main() }
}
