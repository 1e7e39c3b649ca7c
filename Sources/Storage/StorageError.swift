/// Storage failures. Their descriptions are for logs; HTTP answers never include them.
public enum StorageError: Error, Sendable, Equatable {
    /// A unique constraint refused the write (e.g. an email already registered).
    case conflict
    /// A CHECK, NOT NULL or foreign key constraint refused the write.
    case constraintViolation
    /// The database cannot be reached or is busy; the request may be retried.
    case unavailable(String)
    /// A row did not have the expected column or type.
    case corruptRow(String)
    /// Any other driver error.
    case failure(String)
}
