//! Parsers for outside formats: bytes in, validated domain values or located
//! errors out. No database, no async, no partial results.
//!
//! Today this is OneRoster 1.1 / 1.2 CSV, bulk and delta, from a folder, a
//! `.zip` file or zip bytes ([`read_package`], [`read_zip_bytes`],
//! [`PackageSource`]), producing a [`RosterBatch`]; and the reverse,
//! [`write_package`], used by benchmarks and round-trip tests.
//!
//! What a reader does with the quirks of real exports:
//!
//! * tolerated: UTF-8 BOM, CRLF, quoted fields, a missing final newline,
//!   columns in any order, extension (`metadata.*`) and unknown columns
//!   (ignored), one extra *empty* trailing field on a row;
//! * refused with a located [`Problem`]: missing required columns or values,
//!   rows with missing or extra non-empty fields, invalid dates, timestamps,
//!   enumerations and booleans, duplicate `sourcedId`s, and in a bulk package
//!   references that do not resolve inside the package;
//! * refused as a whole ([`ErrorKind`]): packages without a manifest
//!   (Microsoft School Data Sync exports and OneRoster 1.0 are named as such)
//!   and OneRoster versions other than 1.1 and 1.2;
//! * never read: `demographics.csv` and sensitive columns (passwords, phone
//!   numbers, birth dates, …), which the model has no field for;
//! * dropped and counted in [`ImportSummary`]: guardians, parents and
//!   relatives, and their enrollments.
//!
//! Bulk or delta: a package whose manifest declares any roster file `delta`
//! is read as a [`BatchMode::Delta`] batch (references are then not checked,
//! since they may point at records the store already has); only a package
//! whose roster files are all `bulk` (or `absent`) is [`BatchMode::Bulk`].
//! An absent file gives an empty list.
//!
//! CASE 1.0 and 1.1 competency frameworks (`CFPackage` JSON) are read by
//! [`case::read_case`] into a [`case::Framework`], with the same located
//! [`Problem`]s (JSON pointer, line and column).

pub mod assessments;
pub mod case;
mod detect;
mod error;
mod manifest;
mod oneroster;
mod source;
pub mod surveys;
mod table;
mod write;

pub use error::{ErrorKind, ImportError, MAX_PROBLEMS, Problem};
pub use source::PackageSource;
pub use write::write_package;

use std::path::Path;
#[cfg(doc)]
use waypoint_domain::roster::BatchMode;
use waypoint_domain::roster::RosterBatch;

/// How far an import has got, for a progress bar.
///
/// Reported every 1000 rows and at the end of each file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The file being read, e.g. `enrollments.csv`.
    pub file: String,
    /// Data rows read so far in that file.
    pub rows_done: u64,
    /// Data rows the file probably has (its line count; exact at file end).
    pub rows_total_estimate: Option<u64>,
}

/// What an import left out on purpose.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Users whose only roles were guardian, parent or relative.
    pub guardians_dropped: u64,
    /// Enrollments of those users (or with a guardian role), dropped too.
    pub guardian_enrollments_dropped: u64,
    /// CSV files in the package that Waypoint does not read
    /// (`demographics.csv`, `lineItems.csv`, …).
    pub ignored_files: Vec<String>,
}

/// A successfully read package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The records, ready to persist.
    pub batch: RosterBatch,
    /// What was left out on purpose.
    pub summary: ImportSummary,
}

/// Reads a OneRoster package from a folder or a `.zip` file.
///
/// # Errors
///
/// Every problem found (up to [`MAX_PROBLEMS`]); no partial batch.
pub fn read_package(
    path: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<RosterBatch, ImportError> {
    PackageSource::from_path(path)
        .import(progress)
        .map(|i| i.batch)
}

/// Reads a OneRoster package from zip bytes (e.g. an upload).
///
/// # Errors
///
/// Every problem found (up to [`MAX_PROBLEMS`]); no partial batch.
pub fn read_zip_bytes(
    bytes: &[u8],
    progress: &mut dyn FnMut(Progress),
) -> Result<RosterBatch, ImportError> {
    source::import_zip(bytes, progress).map(|i| i.batch)
}
