import Foundation

/// A TCP port free on 127.0.0.1 right now (the kernel picks it), for a child
/// process to bind.
public func freeLoopbackPort() throws -> Int {
    try withLoopbackSocket(port: 0) { descriptor, address, length in
        guard bind(descriptor, address, length) == 0, getsockname(descriptor, address, &length) == 0 else {
            throw TestFailure("bind: errno \(errno)")
        }
        return Int(UInt16(bigEndian: address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }))
    }
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
public func canConnect(port: Int) -> Bool {
    (try? withLoopbackSocket(port: port) { descriptor, address, length in connect(descriptor, address, length) == 0 }) ?? false
}

private func withLoopbackSocket<Result>(
    port: Int, _ body: (Int32, UnsafeMutablePointer<sockaddr>, inout socklen_t) throws -> Result
) throws -> Result {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw TestFailure("socket: errno \(errno)") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    return try withUnsafeMutablePointer(to: &address) { pointer in
        try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body(descriptor, $0, &length) }
    }
}
