import Foundation

/// Figures of merit on predictions and targets. Every metric skips pairs whose target is NaN
/// (an unmeasured compound), and returns NaN when nothing is left to score.
public enum Metrics {
    /// Pairs with a measured target, in Double.
    static func labelled(_ predictions: [Float], _ targets: [Float]) -> (p: [Double], t: [Double]) {
        precondition(predictions.count == targets.count, "Metrics: \(predictions.count) predictions for \(targets.count) targets")
        var p: [Double] = [], t: [Double] = []
        for (prediction, target) in zip(predictions, targets) where !target.isNaN {
            p.append(Double(prediction))
            t.append(Double(target))
        }
        return (p, t)
    }

    /// Labelled pairs whose score is a number: a NaN score (a diverged model) has no rank.
    static func ranked(_ scores: [Float], _ targets: [Float]) -> (p: [Double], t: [Double]) {
        let (p, t) = labelled(scores, targets)
        let kept = p.indices.filter { !p[$0].isNaN }
        return (kept.map { p[$0] }, kept.map { t[$0] })
    }

    public static func rootMeanSquaredError(_ predictions: [Float], _ targets: [Float]) -> Double {
        let (p, t) = labelled(predictions, targets)
        return p.isEmpty ? .nan : (zip(p, t).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(p.count)).squareRoot()
    }

    public static func meanAbsoluteError(_ predictions: [Float], _ targets: [Float]) -> Double {
        let (p, t) = labelled(predictions, targets)
        return p.isEmpty ? .nan : zip(p, t).reduce(0) { $0 + Swift.abs($1.0 - $1.1) } / Double(p.count)
    }

    /// The coefficient of determination, 1 - SS_residual / SS_total.
    public static func rSquared(_ predictions: [Float], _ targets: [Float]) -> Double {
        let (p, t) = labelled(predictions, targets)
        guard !p.isEmpty else { return .nan }
        let mean = t.reduce(0, +) / Double(t.count)
        let residual = zip(p, t).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let total = t.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return 1 - residual / total
    }

    public static func pearson(_ predictions: [Float], _ targets: [Float]) -> Double {
        let (p, t) = labelled(predictions, targets)
        return correlation(p, t)
    }

    /// Pearson correlation of ranks; tied values share their average rank.
    public static func spearman(_ predictions: [Float], _ targets: [Float]) -> Double {
        let (p, t) = labelled(predictions, targets)
        return correlation(averageRanks(p), averageRanks(t))
    }

    /// The area under the ROC curve for targets 0/1 and scores: the probability that a random
    /// positive outscores a random negative, ties counting half.
    public static func rocAUC(_ scores: [Float], _ targets: [Float]) -> Double {
        let (s, t) = ranked(scores, targets)
        let positives = t.filter { $0 == 1 }.count, negatives = t.count - positives
        guard positives > 0 && negatives > 0 else { return .nan }
        let ranks = averageRanks(s)
        let positiveRankSum = zip(ranks, t).reduce(0) { $0 + ($1.1 == 1 ? $1.0 : 0) }
        return (positiveRankSum - Double(positives * (positives + 1)) / 2) / Double(positives * negatives)
    }

    /// The area under the precision-recall curve as average precision: precision at each
    /// distinct score threshold, weighted by the recall it adds (tied scores enter together).
    public static func prAUC(_ scores: [Float], _ targets: [Float]) -> Double {
        let (s, t) = ranked(scores, targets)
        let positives = t.filter { $0 == 1 }.count
        guard positives > 0 else { return .nan }
        let order = s.indices.sorted { s[$0] > s[$1] }
        var truePositives = 0, seen = 0, area = 0.0, index = 0
        while index < order.count {
            let threshold = s[order[index]]
            var gained = 0
            while index < order.count && s[order[index]] == threshold {
                if t[order[index]] == 1 { gained += 1 }
                seen += 1
                index += 1
            }
            truePositives += gained
            area += Double(gained) / Double(positives) * Double(truePositives) / Double(seen)
        }
        return area
    }

    /// The fraction of predicted class indices equal to the target class indices.
    public static func accuracy(_ predictions: [Float], _ targets: [Float]) -> Double {
        let (p, t) = labelled(predictions, targets)
        return p.isEmpty ? .nan : Double(zip(p, t).filter { $0 == $1 }.count) / Double(p.count)
    }

    static func correlation(_ x: [Double], _ y: [Double]) -> Double {
        guard x.count > 1 else { return .nan }
        let meanX = x.reduce(0, +) / Double(x.count), meanY = y.reduce(0, +) / Double(y.count)
        var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
        for (a, b) in zip(x, y) {
            covariance += (a - meanX) * (b - meanY)
            varianceX += (a - meanX) * (a - meanX)
            varianceY += (b - meanY) * (b - meanY)
        }
        return covariance / (varianceX * varianceY).squareRoot()
    }

    /// Ranks from 1, tied values sharing the mean of the ranks they span.
    static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let shared = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = shared }
            start = end + 1
        }
        return ranks
    }
}
