import CBLAS
import Foundation

/// The OpenBLAS library that matrix products run on.
public enum BLAS {
    /// OpenBLAS's build configuration and the kernel it picked for this processor.
    public static var configuration: String {
        BLASThreads.single
        return "\(String(cString: openblas_get_config())), kernel \(String(cString: openblas_get_corename())), "
            + "\(openblas_get_num_threads()) thread (large products split over \(Parallelism.cores) cores by TensorCore)"
    }
}
