//! [`Conn`]: one accepted connection, plain or TLS, read and written the same way.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::Duration;

type TlsStream = rustls::StreamOwned<rustls::ServerConnection, TcpStream>;

pub(crate) enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream>),
}

impl Conn {
    /// Wrap `tcp` in TLS with `config` (the handshake happens on first use).
    pub(crate) fn tls(tcp: TcpStream, config: Arc<rustls::ServerConfig>) -> io::Result<Conn> {
        let server = rustls::ServerConnection::new(config).map_err(io::Error::other)?;
        Ok(Conn::Tls(Box::new(rustls::StreamOwned::new(server, tcp))))
    }

    fn tcp(&self) -> &TcpStream {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(t) => &t.sock,
        }
    }

    pub(crate) fn set_read_timeout(&self, d: Option<Duration>) -> io::Result<()> {
        self.tcp().set_read_timeout(d)
    }

    /// Flush, end TLS politely, and close both directions.
    pub(crate) fn close(&mut self) {
        if let Conn::Tls(t) = self {
            t.conn.send_close_notify();
        }
        let _ = self.flush();
        let _ = self.tcp().shutdown(Shutdown::Both);
    }

    /// Close at once, without flushing what is buffered or ending TLS.
    pub(crate) fn reset(&self) {
        let _ = self.tcp().shutdown(Shutdown::Both);
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(t) => t.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(t) => t.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(t) => t.flush(),
        }
    }
}
