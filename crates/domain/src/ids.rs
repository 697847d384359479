//! Typed ids, so a person id cannot be passed where a class id is meant.

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id!(
    InstitutionId,
    PersonId,
    AccountId,
    ClassId,
    SchoolYearId,
    SubjectId,
    CourseId,
    LessonId,
    AssessmentId,
    TermId
);
