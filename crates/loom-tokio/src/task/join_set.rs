//! tokio's `task::JoinSet` under loom: a set of spawned tasks whose outputs come back in the
//! order the tasks finished, and which aborts the ones still running when it is dropped.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{JoinError, JoinHandle, spawn};

/// Tasks spawned on the run, joined in the order they finish, as tokio's `JoinSet`.
#[derive(Debug)]
pub struct JoinSet<T> {
    handles: Vec<JoinHandle<T>>,
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet {
            handles: Vec::new(),
        }
    }
}

impl<T: Send + 'static> JoinSet<T> {
    /// An empty set.
    pub fn new() -> Self {
        JoinSet::default()
    }

    /// Spawns `future` as a task of the run (see [`spawn`]) and adds it to the set. tokio's
    /// returns an `AbortHandle`; abort through the set instead.
    ///
    /// # Panics
    /// As [`spawn`]: outside a run, or past loom's thread limit.
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F)
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.handles.push(spawn(future));
    }

    /// How many tasks the set holds: those not joined yet, finished or not.
    pub fn len(&self) -> usize {
        self.handles.len()
    }

    /// Whether the set holds no task.
    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }

    /// The output of the task that finished first of those in the set, waiting for one if
    /// none has; `None` once the set is empty.
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// [`JoinSet::join_next`] without waiting: `None` if the set is empty or no task in it has
    /// finished.
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        let first = self.first_finished()?;
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match Pin::new(&mut self.handles[first]).poll(&mut cx) {
            Poll::Ready(output) => {
                self.handles.remove(first);
                Some(output)
            }
            Poll::Pending => None,
        }
    }

    /// Aborts every task in the set (see [`JoinHandle::abort`]); they stay in it until joined.
    pub fn abort_all(&mut self) {
        for handle in &self.handles {
            handle.abort();
        }
    }

    /// Aborts every task and waits until each has finished, emptying the set.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// The index of the handle whose task finished first, if any has.
    fn first_finished(&self) -> Option<usize> {
        (0..self.handles.len())
            .filter_map(|i| self.handles[i].finished_as().map(|order| (order, i)))
            .min()
            .map(|(_, i)| i)
    }

    fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        if self.handles.is_empty() {
            return Poll::Ready(None);
        }
        if let Some(output) = self.try_join_next() {
            return Poll::Ready(Some(output));
        }
        // None has finished: each handle's poll registers this task to be woken by its end.
        for i in 0..self.handles.len() {
            if let Poll::Ready(output) = Pin::new(&mut self.handles[i]).poll(cx) {
                self.handles.remove(i);
                return Poll::Ready(Some(output));
            }
        }
        Poll::Pending
    }
}

impl<T> Drop for JoinSet<T> {
    /// Aborts the tasks still in the set, as tokio's does.
    fn drop(&mut self) {
        for handle in &self.handles {
            handle.abort();
        }
    }
}
