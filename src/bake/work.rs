//! Work shared out between threads on demand: each thread takes the next
//! piece when it is done with its last, so the threads finish together however
//! the pieces differ in cost. With fixed shares, the two threads of the bench
//! tree's evaluation finished up to 8 ms apart in a phase of about 35 ms.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The indices `0..len`, handed out one at a time to whichever thread asks.
pub(crate) struct Queue {
    next: AtomicUsize,
    len: usize,
}

impl Queue {
    pub(crate) fn new(len: usize) -> Queue {
        Queue {
            next: AtomicUsize::new(0),
            len,
        }
    }

    /// The next index, or `None` once all are taken or [`Self::stop`] was called.
    pub(crate) fn take(&self) -> Option<usize> {
        let k = self.next.fetch_add(1, Ordering::Relaxed);
        (k < self.len).then_some(k)
    }

    /// Hands out no more indices: the work failed, and what is left cannot matter.
    pub(crate) fn stop(&self) {
        self.next.store(self.len, Ordering::Relaxed);
    }
}

/// `work` on `threads` threads, this one among them: their results, this
/// thread's first, `Err` for a thread that panicked.
pub(crate) fn on_threads<R: Send>(
    threads: usize,
    work: impl Fn() -> R + Sync,
) -> Vec<std::thread::Result<R>> {
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut results = vec![Ok(work())];
        results.extend(handles.into_iter().map(|h| h.join()));
        results
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_index_is_taken_once() {
        for threads in [1, 2, 3, 8] {
            let queue = Queue::new(1000);
            let taken: Vec<usize> = on_threads(threads, || {
                std::iter::from_fn(|| queue.take()).collect::<Vec<_>>()
            })
            .into_iter()
            .flat_map(Result::unwrap)
            .collect();
            let mut sorted = taken.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..1000).collect::<Vec<_>>(), "{threads} threads");
        }
    }

    #[test]
    fn a_stopped_queue_hands_out_nothing_more() {
        let queue = Queue::new(10);
        assert_eq!(queue.take(), Some(0));
        queue.stop();
        assert_eq!(queue.take(), None);
        assert_eq!(queue.take(), None);
    }
}
