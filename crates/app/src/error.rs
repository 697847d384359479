//! What a use case can answer instead of a value. Each error has a stable code, which is also its
//! key in the message catalogue; the web layer maps codes to HTTP statuses in one place.

use klade_domain::Denied;
use klade_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("too many failed logins; retry in {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    /// A family token asked past its allowance of requests a minute.
    #[error("too many requests; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: i64 },
    /// A family token asked to change something: it only reads.
    #[error("a family token only reads")]
    ReadOnlyToken,
    #[error("the account is blocked")]
    AccountBlocked,
    #[error("the account holds no current rights")]
    NoActiveRights,
    #[error("not signed in")]
    Unauthenticated,
    #[error("the password must be changed first")]
    PasswordChangeRequired,
    #[error("a second factor must be set up first")]
    SecondFactorRequired,
    #[error("not allowed: {0}")]
    Forbidden(#[from] Denied),
    #[error("not found")]
    NotFound,
    /// Input that breaks a rule: the field and the catalogue key of the message.
    #[error("invalid {field}: {code}")]
    Invalid { field: &'static str, code: &'static str },
    /// The same for a field named at run time (`terms.1.ends_on`, a file's row and column).
    #[error("invalid {field}: {code}")]
    InvalidAt { field: String, code: &'static str },
    /// Cells of a journal grid that could not be saved; nothing was saved.
    #[error("{} cells could not be saved", .0.len())]
    Cells(Vec<crate::journal::CellError>),
    /// Words the clean-language list does not allow (J18), as written; nothing was sent.
    #[error("words not allowed: {}", .0.join(", "))]
    Unclean(Vec<String>),
    #[error("already exists: {0}")]
    Conflict(&'static str),
    /// A lesson that cannot be held with another one (`klade_domain::timetable`): the catalogue key
    /// says who would be in two places, `with` names the other lesson ("3.A Matemātika").
    #[error("clashes with {with}: {code}")]
    Clash { code: &'static str, with: String },
    /// A request or file over its size budget; the catalogue key says which.
    #[error("too large: {0}")]
    TooLarge(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &'static str, code: &'static str) -> Self {
        Self::Invalid { field, code }
    }

    /// The write met what is already there: a rule's conflict or a unique key's.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            Self::Conflict(_) | Self::Store(klade_store::StoreError::Conflict(_))
        )
    }

    /// The database is out of reach for now (`StoreError::is_unavailable`): worth trying again.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_unavailable())
    }

    /// The catalogue key of the message shown to the user.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidCredentials => "error.invalid_credentials",
            Self::Throttled { .. } => "error.throttled",
            Self::RateLimited { .. } => "error.rate_limited",
            Self::ReadOnlyToken => "error.read_only_token",
            Self::AccountBlocked => "error.account_blocked",
            Self::NoActiveRights => "error.no_active_rights",
            Self::Unauthenticated => "error.unauthenticated",
            Self::PasswordChangeRequired => "error.password_change_required",
            Self::SecondFactorRequired => "error.second_factor_required",
            Self::Forbidden(_) => "error.forbidden",
            Self::NotFound => "error.not_found",
            Self::Invalid { code, .. } | Self::InvalidAt { code, .. } => code,
            Self::Conflict(code) | Self::TooLarge(code) | Self::Clash { code, .. } => code,
            Self::Cells(_) => "journal.cells_invalid",
            Self::Unclean(_) => "message.unclean",
            Self::Store(StoreError::Conflict(_)) => "error.conflict",
            e if e.is_unavailable() => "error.unavailable",
            Self::Store(_) | Self::Internal(_) => "error.internal",
        }
    }
}

impl From<klade_store::SqlError> for AppError {
    fn from(e: klade_store::SqlError) -> Self {
        Self::Store(StoreError::Sql(e))
    }
}
