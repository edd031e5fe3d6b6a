struct Add: BinaryFunction { func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b } }
struct Subtract: BinaryFunction { func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b } }
struct Multiply: BinaryFunction { func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b } }
struct Divide: BinaryFunction { func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b } }

struct Negate: UnaryFunction {
    func callAsFunction(_ x: Float) -> Float { -x }
    func derivative(_ x: Float, _ y: Float) -> Float { -1 }
}

extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let (shape, output) = broadcastScalars(a, b, "+", Add())
        return .recorded(shape, output, (a, { a.unbroadcast($0) }), (b, { b.unbroadcast($0) }))
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let (shape, output) = broadcastScalars(a, b, "-", Subtract())
        return .recorded(shape, output, (a, { a.unbroadcast($0) }), (b, { b.unbroadcast(-$0) }))
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let (shape, output) = broadcastScalars(a, b, "*", Multiply())
        return .recorded(shape, output, (a, { a.unbroadcast($0 * b) }), (b, { b.unbroadcast($0 * a) }))
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let (shape, output) = broadcastScalars(a, b, "/", Divide())
        return .recorded(shape, output, (a, { a.unbroadcast($0 / b) }), (b, { b.unbroadcast(-$0 * a / (b * b)) }))
    }

    public static prefix func - (a: Tensor) -> Tensor { a.map(Negate()) }

    public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
    public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
    public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
    public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
    public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
    public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
    public static func / (a: Tensor, b: Float) -> Tensor { a / Tensor(b) }
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }
}
