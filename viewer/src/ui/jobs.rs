//! Background computations whose results the UI polls each frame.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// A computation running on its own thread.
pub struct Job<T> {
    result: Arc<Mutex<Option<T>>>,
    cancel: Arc<AtomicBool>,
}

impl<T: Send + 'static> Job<T> {
    /// Starts `f` on a thread; `notify` is called when it finishes (e.g. to repaint).
    pub fn spawn(
        f: impl FnOnce(&AtomicBool) -> Option<T> + Send + 'static,
        notify: impl FnOnce() + Send + 'static,
    ) -> Job<T> {
        let result = Arc::new(Mutex::new(None));
        let cancel = Arc::new(AtomicBool::new(false));
        let (r, c) = (result.clone(), cancel.clone());
        let spawned = std::thread::Builder::new()
            .name("viewer-job".into())
            .spawn(move || {
                if let Some(v) = f(&c)
                    && let Ok(mut g) = r.lock()
                {
                    *g = Some(v);
                }
                notify();
            });
        if spawned.is_err() {
            cancel.store(true, Ordering::Relaxed);
        }
        Job { result, cancel }
    }

    /// Takes the result if ready.
    pub fn take(&self) -> Option<T> {
        self.result.lock().ok().and_then(|mut g| g.take())
    }
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// A value computed in the background for some key (e.g. a time range);
/// recomputed when the key changes.
pub struct Cached<K, T> {
    key: Option<K>,
    job: Option<Job<T>>,
    /// The latest result and its key.
    pub value: Option<(K, T)>,
}

impl<K, T> Default for Cached<K, T> {
    fn default() -> Self {
        Cached {
            key: None,
            job: None,
            value: None,
        }
    }
}

impl<K: PartialEq + Clone, T: Send + 'static> Cached<K, T> {
    /// Ensures a computation for `key` is done or running; returns the value
    /// if it is for `key`.
    pub fn get(&mut self, key: &K, start: impl FnOnce() -> Job<T>) -> Option<&T> {
        if self.key.as_ref() != Some(key) {
            self.key = Some(key.clone());
            self.job = Some(start());
        }
        if let Some(j) = &self.job
            && let Some(v) = j.take()
        {
            self.value = Some((key.clone(), v));
            self.job = None;
        }
        match &self.value {
            Some((k, v)) if k == key => Some(v),
            _ => None,
        }
    }

    /// Whether a computation is running.
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        *self = Cached::default();
    }
}
