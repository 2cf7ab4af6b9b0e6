//! The emulator's public constants, [`Progress`], and the settings the server
//! starts from (filled by the builder). Below everything but `spec`.

use std::path::PathBuf;
use std::time::Duration;

use crate::spec::InstanceSpec;

/// The secret id the emulator accepts when no credentials are configured.
///
/// It is not a real Tencent Cloud key and grants nothing anywhere else.
pub const DEMO_SECRET_ID: &str = "AKIDEMULATOR0000DEMO";

/// The secret key paired with [`DEMO_SECRET_ID`]; public on purpose, it only
/// opens the emulator.
pub const DEMO_SECRET_KEY: &str = "emulator-demo-secret-key";

/// The key under which faults for backup file downloads are registered, for
/// [`EmulatorHandle::inject`](crate::EmulatorHandle::inject) (download requests
/// have no API action).
pub const DOWNLOAD_FAULT_KEY: &str = "download";

/// A fault key that matches every API action that has no fault of its own.
pub const ANY_ACTION: &str = "*";

/// The API version the emulator speaks; other `X-TC-Version` values get `NoSuchVersion`.
pub const API_VERSION: &str = "2019-07-25";

/// The default request limit per action and per second, as the service documents it.
pub const DEFAULT_RATE_LIMIT: u32 = 20;

/// The default largest request body accepted (10 MiB); bigger ones get
/// `RequestSizeLimitExceeded`.
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// How long a pre-signed download URL stays valid by default: one hour of the
/// emulator's clock.
pub const DEFAULT_DOWNLOAD_URL_TTL: Duration = Duration::from_secs(3600);

/// How long-running work (backups, download preparation) advances.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// Every poll of an item (`DescribeAsyncRequestInfo` for an async request,
    /// `DescribeBackupDownloadTask` for the tasks it returns) first reports the
    /// item's current step and then moves it one step on. No clock involved, so
    /// tests are deterministic: the third poll of an async request says `success`.
    PerPoll,
    /// Each phase (queued, then running) lasts this long on the emulator's clock;
    /// `Duration::ZERO` makes work finish at once.
    Elapsed(Duration),
}

impl Default for Progress {
    /// Phases of 1.5 seconds: slow enough to watch a progress bar move.
    fn default() -> Self {
        Progress::Elapsed(Duration::from_millis(1500))
    }
}

/// What the server starts from, apart from its address and credentials.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) state_file: Option<PathBuf>,
    pub(crate) progress: Progress,
    pub(crate) rate_limit: Option<u32>,
    pub(crate) rate_limit_window: Duration,
    pub(crate) clock_offset_secs: i64,
    pub(crate) max_body_bytes: usize,
    pub(crate) backup_size: (u64, u64),
    pub(crate) download_url_ttl: Duration,
    pub(crate) seed_instances: bool,
    pub(crate) instances: Vec<InstanceSpec>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            state_file: None,
            progress: Progress::default(),
            rate_limit: Some(DEFAULT_RATE_LIMIT),
            rate_limit_window: Duration::from_secs(1),
            clock_offset_secs: 0,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            backup_size: (256 * 1024, 2 * 1024 * 1024),
            download_url_ttl: DEFAULT_DOWNLOAD_URL_TTL,
            seed_instances: true,
            instances: Vec::new(),
        }
    }
}
