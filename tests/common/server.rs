//! A team server on a loopback port, for remote-mode tests of the real binary.

/// A team server on port 0 with one account, running on its own thread until the handle drops.
pub struct Server {
    pub url: String,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub fn start() -> Server {
        Server::start_as("user")
    }

    /// A server whose one account (grace@team.test) has `role`.
    pub fn start_as(role: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut o =
            booksygo_core::LocalOptions::new(booksygo_core::config::Paths::in_dir(dir.path()));
        o.clock = booksygo_core::config::Clock::fixed("2026-11-25T12:00:00Z".parse().unwrap());
        let agency = booksygo_core::LocalAgency::open(o).unwrap();
        booksygo_core::accounts::register(
            &agency.store().conn().unwrap(),
            "grace@team.test",
            "correct horse battery",
            "Grace",
            "Hopper",
            role,
            jiff::Timestamp::now().as_second(),
        )
        .unwrap();
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        std_listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", std_listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
                booksygo_server::serve(
                    listener,
                    booksygo_server::AppState::new(agency),
                    async move {
                        let _ = stopped.await;
                    },
                )
                .await
                .unwrap();
            });
        });
        Server {
            url,
            _dir: dir,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
