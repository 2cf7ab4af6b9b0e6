//! Emulators set up for tests, and the credentials tests sign with.
//!
//! ```
//! let emu = test_support::presets::fast().start().expect("the emulator starts");
//! assert_eq!(emu.secret_id(), test_support::presets::DEMO_SECRET_ID);
//! ```

use std::time::Duration;

use mongodb_emulator::{Emulator, EmulatorBuilder, Progress};

pub use mongodb_emulator::{DEMO_SECRET_ID, DEMO_SECRET_KEY};

/// The smallest and largest backup file of [`fast`] and [`small`] emulators: big enough for
/// several 64 KiB reads, small enough to download in a blink.
pub const SMALL_BACKUP_BYTES: (u64, u64) = (64 * 1024, 256 * 1024);

/// A deterministic emulator: work moves one step per poll (the third poll of an async request
/// says `success`), no rate limit, small backup files.
pub fn fast() -> EmulatorBuilder {
    small(Emulator::builder().progress(Progress::PerPoll))
}

/// An emulator whose work finishes at once (on the emulator's clock), without a rate limit;
/// backup files are the emulator's usual size (256 KiB to 2 MiB). For end-to-end runs that
/// wait the way a user would.
pub fn instant() -> EmulatorBuilder {
    Emulator::builder()
        .progress(Progress::Elapsed(Duration::ZERO))
        .rate_limit(None)
}

/// `builder` without a rate limit and with small backup files ([`SMALL_BACKUP_BYTES`]).
pub fn small(builder: EmulatorBuilder) -> EmulatorBuilder {
    let (min, max) = SMALL_BACKUP_BYTES;
    builder.rate_limit(None).backup_size_range(min, max)
}

/// The key pair tests sign with against a scripted [`TestServer`](crate::TestServer). The
/// secret key is distinctive, so a test can search logs and errors for it.
pub const SECRET_ID: &str = "AKIDtestid0000000001";
/// The secret key paired with [`SECRET_ID`].
pub const SECRET_KEY: &str = "TopSecretKeyValue-DoNotLog";

/// [`SECRET_ID`] and [`SECRET_KEY`] as credentials.
pub fn credentials() -> tc_sign::Credentials {
    tc_sign::Credentials::new(SECRET_ID, SECRET_KEY).expect("valid test credentials")
}

/// The emulator's demo key pair as credentials (what an emulator started without
/// credentials accepts).
pub fn demo_credentials() -> tc_sign::Credentials {
    tc_sign::Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY).expect("valid demo credentials")
}

/// A local port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// `http://127.0.0.1:PORT` where nothing listens: connections are refused.
pub fn refused_url() -> String {
    format!("http://127.0.0.1:{}", closed_port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_credentials_are_the_constants() {
        assert_eq!(credentials().secret_id(), SECRET_ID);
        assert_eq!(credentials().secret_key(), SECRET_KEY);
        assert_eq!(demo_credentials().secret_id(), DEMO_SECRET_ID);
    }

    #[test]
    fn a_refused_url_refuses() {
        let url = refused_url();
        let addr = url.strip_prefix("http://").unwrap();
        assert!(std::net::TcpStream::connect(addr).is_err(), "{url}");
    }
}
