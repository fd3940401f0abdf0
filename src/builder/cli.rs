//! Arguments of `matrix builder …` (parsed by the binary with clap).

use clap::{Subcommand, ValueEnum};

/// `matrix builder` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum BuilderCommand {
    /// List our builders: driver, config hash, last use, whether a build holds them.
    Ls {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Show a builder's record, buildkitd.toml, lock holder and `docker buildx inspect`.
    Inspect {
        /// Builder name (default: the current identity's builder).
        name: Option<String>,
    },
    /// Remove a builder (refused while a build holds it).
    Rm {
        /// Builder name.
        name: String,
    },
    /// Remove builders idle longer than DURATION (keeps the current and any locked one).
    Prune {
        /// Idle time: 7d, 12h, 30m, "1h 30m".
        #[arg(long, value_name = "DURATION")]
        idle: String,
        /// The current builder to keep (default: the current identity's builder).
        #[arg(long, value_name = "NAME")]
        builder: Option<String>,
    },
}

/// `matrix builder ls --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table.
    Human,
    /// A JSON array of builders.
    Json,
}

/// An idle time for humans, to the largest unit: `3d`, `5h`, `12m`, `40s`.
pub fn short_duration(secs: u64) -> String {
    match secs {
        s if s >= 86400 => format!("{}d", s / 86400),
        s if s >= 3600 => format!("{}h", s / 3600),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}
