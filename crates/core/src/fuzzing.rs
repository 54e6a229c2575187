//! What the parser fuzz tests share (`scripts/fuzz.sh` runs them for a bounded time): each
//! input's time is taken, and the slowest input is printed at the end. The time is asserted
//! only when `BOOKSYGO_FUZZ_MAX_MS` is set (the script sets it); an ordinary test run never
//! judges time, only that nothing panics.

use std::fmt::Debug;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The slowest input seen by one fuzz target, and how many inputs it ran.
pub struct Slowest {
    target: &'static str,
    state: Mutex<(usize, Duration, String)>,
}

impl Slowest {
    pub fn new(target: &'static str) -> Slowest {
        Slowest {
            target,
            state: Mutex::new((0, Duration::ZERO, String::new())),
        }
    }

    /// Runs `work` on `input`, keeping its time if it is the slowest so far. A run can be
    /// slow because another process had the core: an input that would be the slowest yet is
    /// run twice more and keeps its fastest time, so only inputs slow every time count.
    pub fn time<I: Debug + ?Sized, T>(&self, input: &I, work: impl Fn() -> T) -> T {
        let timed = || {
            let started = Instant::now();
            let out = work();
            (out, started.elapsed())
        };
        let (mut out, mut took) = timed();
        let slowest = self.lock().1;
        if took > slowest {
            for _ in 0..2 {
                let (again, t) = timed();
                if t < took {
                    (out, took) = (again, t);
                }
            }
        }
        let mut s = self.lock();
        s.0 += 1;
        if took > s.1 {
            s.1 = took;
            s.2 = format!("{input:?}");
        }
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (usize, Duration, String)> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Prints `fuzz <target>: N inputs, slowest X ms: <input>` (the input cut to 300
    /// characters) and, when `BOOKSYGO_FUZZ_MAX_MS` is set, fails past that many milliseconds.
    pub fn report(&self) {
        let s = self.lock();
        let shown: String = s.2.chars().take(300).collect();
        let ms = s.1.as_secs_f64() * 1000.0;
        println!(
            "fuzz {}: {} inputs, slowest {ms:.3} ms ({} chars): {shown}",
            self.target,
            s.0,
            s.2.chars().count()
        );
        if let Some(max) = std::env::var("BOOKSYGO_FUZZ_MAX_MS")
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
        {
            assert!(
                ms <= max,
                "fuzz {}: an input took {ms:.3} ms, over {max} ms: {shown}",
                self.target
            );
        }
    }
}
