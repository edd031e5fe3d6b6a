extension Tensor {
    /// Elements of `a` where `condition` is non-zero and of `b` elsewhere; all three broadcast.
    /// `condition` receives no gradient.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = broadcastShape(broadcastShape(condition.shape, a.shape, "where"), b.shape, "where")
        let mask = condition.detached.expanded(to: shape)
        let picked = makeScalars(mask.count) { out in
            let x = a.detached.expanded(to: shape), y = b.detached.expanded(to: shape)
            for i in 0..<out.count { out[i] = mask.scalars[i] != 0 ? x.scalars[i] : y.scalars[i] }
        }
        return .recorded(shape, picked,
                       (a, { a.unbroadcast(Tensor.where(mask, $0, Tensor(0))) }),
                       (b, { b.unbroadcast(Tensor.where(mask, Tensor(0), $0)) }))
    }
}
