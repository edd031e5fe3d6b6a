import Dispatch

/// The median wall time of `runs` calls of `body`, after `warmUp` calls that are not timed.
/// `body` is given the call's index (warm-up calls included), to cycle through inputs.
public func medianSeconds(runs: Int, warmUp: Int = 1, _ body: (Int) -> Void) -> Double {
    for index in 0..<warmUp { body(index) }
    let times = (warmUp..<warmUp + runs).map { index in
        let start = DispatchTime.now().uptimeNanoseconds
        body(index)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    return times.sorted()[times.count / 2]
}
