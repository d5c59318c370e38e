//! What the `waypoint-bench` drivers share with the `waypoint` crate's
//! crash harness: a small HTTP client, the registration-rush fixture and
//! driver with its ledger of acknowledged saves, the sign-in burst, and the
//! student-information district.

pub mod http;
pub mod rush;
pub mod signin;
pub mod students;
