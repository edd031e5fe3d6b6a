/// One recorded operation of the autograd graph: the output's gradient and, for each
/// differentiable input, the function that turns that gradient into the input's share.
final class GradNode: @unchecked Sendable {
    struct Edge {
        let parent: GradNode
        let vectorJacobianProduct: (Tensor) -> Tensor
    }

    let shape: [Int]
    let edges: [Edge]
    var grad: Tensor?

    init(shape: [Int], edges: [Edge]) {
        self.shape = shape
        self.edges = edges
    }

    var isLeaf: Bool { edges.isEmpty }

    func accumulate(_ contribution: Tensor) {
        require(contribution.shape == shape,
                     "autograd: gradient of shape \(contribution.shape) for a value of shape \(shape)")
        guard var total = grad else {
            grad = contribution
            return
        }
        grad = nil  // so that `total` holds the only reference and is updated in place
        total.scalars.withUnsafeMutableBufferPointer { target in
            contribution.scalars.withUnsafeBufferPointer { source in
                for i in 0..<target.count { target[i] += source[i] }
            }
        }
        grad = total
    }
}

/// Whether operations record the graph on the current thread or task.
public enum GradMode {
    @TaskLocal static var isEnabled = true
}

/// Runs `body` without recording any graph: for inference, metrics and parameter updates.
public func withoutGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false, operation: body)
}

extension Tensor {
    /// Whether gradients flow to this tensor.
    public var requiresGrad: Bool {
        get { node != nil }
        set {
            if newValue {
                if node == nil { node = GradNode(shape: shape, edges: []) }
            } else {
                node = nil
            }
        }
    }

    /// The gradient accumulated by ``backward()``, or nil before any.
    public var grad: Tensor? { node?.grad }

    /// Forgets the accumulated gradient.
    public func zeroGrad() { node?.grad = nil }

    /// Multiplies the accumulated gradient by `factor` (gradient clipping).
    public func scaleGrad(by factor: Float) {
        guard let node, let grad = node.grad else { return }
        node.grad = withoutGrad { grad * factor }
    }

    /// A copy of this tensor's values that records nothing and receives no gradient.
    public var detached: Tensor { Tensor(shape: shape, scalars: scalars, node: nil) }

    /// Back-propagates from this scalar: every tensor it depends on that requires gradients
    /// receives d(self)/d(tensor), added to what it already holds.
    public func backward() {
        require(count == 1, "backward(): called on a tensor of shape \(shape); it needs a single element")
        guard let root = node else {
            fatalError("backward(): this tensor does not depend on any tensor that requires gradients")
        }
        root.accumulate(Tensor(shape: shape, scalars: [1], node: nil))
        withoutGrad {
            for current in GradNode.reverseTopologicalOrder(from: root) {
                guard let gradient = current.grad else { continue }
                for edge in current.edges {
                    edge.parent.accumulate(edge.vectorJacobianProduct(gradient))
                }
                if !current.isLeaf { current.grad = nil }
            }
        }
    }

    /// Wraps a freshly computed value as the output of an operation; records the graph when
    /// grad mode is on and any listed input requires gradients.
    ///
    /// Each input comes with its vector-Jacobian product: given d(loss)/d(output), it returns
    /// d(loss)/d(input) in the input's shape. Only inputs that require gradients are kept.
    /// Every op joins the graph through here, in this module or outside it (see "Adding an op").
    public static func recorded(
        _ shape: [Int], _ scalars: [Float], _ inputs: (Tensor, (Tensor) -> Tensor)...
    ) -> Tensor {
        recorded(shape, scalars, inputs)
    }

    public static func recorded(
        _ shape: [Int], _ scalars: [Float], _ inputs: [(Tensor, (Tensor) -> Tensor)]
    ) -> Tensor {
        var output = Tensor(shape: shape, scalars: scalars, node: nil)
        guard GradMode.isEnabled else { return output }
        let edges = inputs.compactMap { input, vjp in
            input.node.map { GradNode.Edge(parent: $0, vectorJacobianProduct: vjp) }
        }
        if !edges.isEmpty { output.node = GradNode(shape: shape, edges: edges) }
        return output
    }
}

extension GradNode {
    /// Nodes ordered so that each comes before every node it depends on (iterative, so deep
    /// graphs such as long recurrences cannot overflow the stack).
    static func reverseTopologicalOrder(from root: GradNode) -> [GradNode] {
        var postOrder: [GradNode] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        var stack: [(node: GradNode, nextEdge: Int)] = [(root, 0)]
        while let (node, nextEdge) = stack.last {
            if nextEdge < node.edges.count {
                stack[stack.count - 1].nextEdge += 1
                let parent = node.edges[nextEdge].parent
                if visited.insert(ObjectIdentifier(parent)).inserted { stack.append((parent, 0)) }
            } else {
                postOrder.append(node)
                stack.removeLast()
            }
        }
        return postOrder.reversed()
    }
}
