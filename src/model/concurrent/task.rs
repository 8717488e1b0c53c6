//! Tasks under loom: tokio's `spawn`, `JoinHandle`, `JoinError` and `yield_now`, and [`run`],
//! the runtime a loom test starts a pattern with.
//!
//! Each task is a loom thread that polls its future, and parks when the future is pending until
//! a waker marks it notified; loom explores the interleavings of all of them. The executor's
//! bookkeeping is one `std` mutex, deliberately invisible to loom: it is not the code under
//! test, and as a loom mutex it would multiply the interleavings (every wait and wake-up of
//! every task would be a point of preemption) without adding a schedule of the program. It is
//! safe under loom because loom runs one thread at a time and switches only at its own
//! operations, of which there are none inside the critical sections (an `unpark` does not
//! switch). What a program can observe still goes through loom: its channels' state, and the
//! `park` of a task that waits. The bookkeeping lets the executor see what loom would report as
//! a deadlock before loom does: when every task is waiting and none is notified, nothing can
//! ever wake one. Loom aborts the whole test process
//! on a deadlock; [`run`] instead stops every task and returns [`Ran::stuck`], so a test can
//! assert on it with a message.
//!
//! When the run's main future finishes, the tasks still alive are cancelled at their next
//! await, as tokio does when `#[tokio::main]` returns and drops the runtime: [`run`] reports
//! them in [`Ran::left_running`] and waits until each has dropped its future.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, Location, catch_unwind, resume_unwind};
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

// std's, not loom's, on purpose: see the module documentation.
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How many times one task may sleep (or yield) in a [`run`] before its next sleep waits for
/// ever; [`run_with`] sets another budget.
///
/// Time does not pass under loom, so a loop that only ends by time (a worker polling a signal
/// it never gets, between sleeps) would run for ever, and loom would give up on the model with
/// an abort. Past this budget the task's sleeps never end; if nothing else can wake it, the
/// run is [stuck](Ran::stuck). It is above the sleeps of any one task of the guide's programs
/// (the backpressure consumer's ten).
pub const PAUSES_PER_TASK: u32 = 12;

/// How many times one task may be polled in a [`run`]. Every poll but the first follows a
/// wake-up, and the guide's programs wake each task a few dozen times at most; a task polled
/// more often is in a busy loop (a future that wakes itself and never waits, or an executor
/// that polls without being woken), which loom cannot see: with no loom operation in it, the
/// loop would never end. Past this many polls the task panics instead, and loom reports the
/// model as failed with that message.
pub const POLLS_PER_TASK: u32 = 10_000;

/// What a run under loom came to.
#[derive(Debug)]
#[must_use = "a run can end stuck or with tasks left running: check it"]
pub struct Ran<T> {
    /// The main future's output; `None` if it never finished (see [`Ran::stuck`]).
    pub output: Option<T>,
    /// Tasks still waiting when the main future finished, each cancelled then (a correct
    /// pattern leaves none): their names, `task N (spawned at FILE:LINE)`. A task in the middle
    /// of a poll then finishes that poll first, as on a runtime that shuts down.
    pub left_running: Vec<String>,
    /// When every task waited and none could ever be woken: each task's name and what it
    /// waited on, main first. `None` when the main future finished.
    pub stuck: Option<Vec<String>>,
    /// The schedule loom chose, as the runtime saw it: each task's waits, wake-ups and end, in
    /// order. Failing tests print it: it is the interleaving that failed.
    pub schedule: Vec<String>,
}

impl<T> Ran<T> {
    /// The main future's output, once it finished with no task left behind.
    ///
    /// # Panics
    /// With a message naming the tasks, if the run got stuck or left tasks running.
    #[track_caller]
    pub fn finished(self) -> T {
        if let Some(stuck) = &self.stuck {
            panic!(
                "stuck: every task waits for ever: {}\nschedule: {}",
                stuck.join("; "),
                self.schedule.join(", ")
            );
        }
        if !self.left_running.is_empty() {
            panic!(
                "main returned with tasks still running: {}\nschedule: {}",
                self.left_running.join("; "),
                self.schedule.join(", ")
            );
        }
        match self.output {
            Some(output) => output,
            None => unreachable!("a run that is not stuck has finished"),
        }
    }
}

/// Where a task is, as the executor sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    /// Being polled, or about to be.
    Running,
    /// Woken since its last poll began: it polls again instead of parking.
    Notified,
    /// Parked, waiting for a waker.
    Idle,
    /// Finished, panicked or cancelled.
    Done,
}

#[derive(Debug)]
struct Task {
    /// `main` or `task N`.
    name: String,
    /// Where it was spawned (`None` for main).
    at: Option<&'static Location<'static>>,
    status: Status,
    /// Set by the task's own thread before it first parks, so a waker can unpark it.
    thread: Option<loom::thread::Thread>,
    /// What the task's last poll waited on.
    waits: Vec<&'static str>,
    /// Whether the run's end cancelled it: its future was still pending then.
    cancelled: bool,
    /// Its output, until its `JoinHandle` takes it.
    output: Option<Result<Box<dyn Any + Send>, JoinError>>,
    /// The task waiting on its `JoinHandle` (a task of the run: only they can await it).
    joiner: Option<usize>,
}

#[derive(Debug, Default)]
struct Sched {
    /// Index 0 is the main future.
    tasks: Vec<Task>,
    shutdown: bool,
    stuck: Option<Vec<String>>,
    threads: Vec<loom::thread::JoinHandle<()>>,
    /// See [`Ran::schedule`].
    schedule: Vec<String>,
}

impl Task {
    /// The name with where it was spawned, for reports.
    fn described(&self) -> String {
        match self.at {
            Some(at) => format!("{} (spawned at {}:{})", self.name, at.file(), at.line()),
            None => self.name.clone(),
        }
    }
}

impl Sched {
    /// Whether no task can run now or ever be woken: none is running or notified, and the
    /// ones not done are parked (a waker only ever runs on a running task).
    fn everyone_waits(&self) -> bool {
        self.tasks
            .iter()
            .all(|t| matches!(t.status, Status::Idle | Status::Done))
            && self.tasks.iter().any(|t| t.status == Status::Idle)
    }

    /// Stops the run: every parked task is unparked to see `shutdown` and drop its future.
    fn shut_down(&mut self) {
        self.shutdown = true;
        for task in &self.tasks {
            if let Some(thread) = &task.thread {
                thread.unpark();
            }
        }
    }

    /// Wakes task `id`: it polls again instead of parking, or is unparked to.
    fn notify(&mut self, id: usize) {
        let task = &mut self.tasks[id];
        match task.status {
            Status::Idle => {
                task.status = Status::Notified;
                if let Some(thread) = &task.thread {
                    thread.unpark();
                }
                let event = format!("{} woken", task.name);
                self.schedule.push(event);
            }
            Status::Running => task.status = Status::Notified,
            Status::Notified | Status::Done => {}
        }
    }

    fn get_stuck(&mut self) {
        let report = self
            .tasks
            .iter()
            .filter(|t| t.status == Status::Idle)
            .map(|t| {
                if t.waits.is_empty() {
                    format!("{} waits", t.described())
                } else {
                    format!("{} waits on {}", t.described(), t.waits.join(" and "))
                }
            })
            .collect();
        self.stuck = Some(report);
        self.shut_down();
    }
}

#[derive(Debug)]
struct Runtime {
    sched: Mutex<Sched>,
    /// Pauses each task may take: see [`PAUSES_PER_TASK`].
    pauses: u32,
}

impl Runtime {
    /// After a pending poll: returns `true` when the task is to poll again (it was woken),
    /// `false` when the run shuts down and the task must drop its future.
    fn wait(&self, id: usize, waits: Vec<&'static str>) -> bool {
        let mut waits = Some(waits);
        loop {
            {
                let mut sched = lock(&self.sched);
                if sched.shutdown {
                    return false;
                }
                let task = &mut sched.tasks[id];
                match task.status {
                    Status::Notified => {
                        task.status = Status::Running;
                        return true;
                    }
                    Status::Running => {
                        task.status = Status::Idle;
                        // Set at the first wait, in this critical section: a waker that finds
                        // the task idle can always unpark it.
                        task.thread.get_or_insert_with(loom::thread::current);
                        task.waits = waits.take().unwrap_or_default();
                        let event = format!("{} waits on {}", task.name, task.waits.join(" and "));
                        sched.schedule.push(event);
                        if sched.everyone_waits() {
                            sched.get_stuck();
                            return false;
                        }
                    }
                    // Unparked by something else (the run's start, or a spurious unpark).
                    Status::Idle | Status::Done => {}
                }
            }
            loom::thread::park();
        }
    }

    fn wake(&self, id: usize) {
        lock(&self.sched).notify(id);
    }

    /// A spawned task is done: its output goes to its `JoinHandle`, whose task is woken in the
    /// same critical section, so that the run is never taken for stuck in between; and if the
    /// task was the last one that could run, the run is stuck.
    fn done<T: Send + 'static>(&self, id: usize, exit: Exit<T>) {
        let (output, how) = match exit {
            Exit::Done(output) => (Ok(Box::new(output) as Box<dyn Any + Send>), "finished"),
            Exit::Panicked(panic) => (Err(JoinError::panicked(id, panic)), "panicked"),
            Exit::Cancelled => (Err(JoinError::cancelled(id)), "cancelled"),
        };
        let mut sched = lock(&self.sched);
        let task = &mut sched.tasks[id];
        task.status = Status::Done;
        task.cancelled = how == "cancelled";
        task.output = Some(output);
        let joiner = task.joiner.take();
        let event = format!("{} {how}", task.name);
        sched.schedule.push(event);
        if let Some(joiner) = joiner {
            sched.notify(joiner);
        }
        if !sched.shutdown && sched.everyone_waits() {
            sched.get_stuck();
        }
    }
}

struct TaskWaker {
    runtime: Arc<Runtime>,
    id: usize,
}

impl std::task::Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.runtime.wake(self.id);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.runtime.wake(self.id);
    }
}

loom::thread_local! {
    /// The runtime and task id of the task running on this loom thread.
    static CURRENT: RefCell<Option<(Arc<Runtime>, usize)>> = RefCell::new(None);
    /// What the current poll of this thread's task waits on.
    static WAITS: RefCell<Vec<&'static str>> = RefCell::new(Vec::new());
    /// Sleeps and yields so far by this thread's task.
    static PAUSES: Cell<u32> = Cell::new(0);
}

/// Records that the task polled on this thread waits on `what`, for the report of a stuck run.
pub(crate) fn waiting_on(what: &'static str) {
    WAITS.with(|w| {
        let mut waits = w.borrow_mut();
        // A loop inside one poll (a select! in a loop) registers the same wait again.
        if !waits.contains(&what) {
            waits.push(what);
        }
    });
}

/// Counts one pause (sleep or yield) of the current task: `false` once it is past the run's
/// budget ([`PAUSES_PER_TASK`] unless [`run_with`] said otherwise).
pub(crate) fn take_pause() -> bool {
    let budget = CURRENT.with(|c| c.borrow().as_ref().map(|(runtime, _)| runtime.pauses));
    PAUSES.with(|p| {
        p.set(p.get() + 1);
        p.get() <= budget.unwrap_or(PAUSES_PER_TASK)
    })
}

enum Exit<T> {
    Done(T),
    Panicked(Box<dyn Any + Send>),
    Cancelled,
}

/// Polls `future` as task `id` until it finishes, panics, or the run shuts down.
fn drive<F: Future>(runtime: &Arc<Runtime>, id: usize, future: F) -> Exit<F::Output> {
    let waker = Waker::from(Arc::new(TaskWaker {
        runtime: runtime.clone(),
        id,
    }));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    for _ in 0..POLLS_PER_TASK {
        WAITS.with(|w| w.borrow_mut().clear());
        match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx))) {
            Ok(Poll::Ready(output)) => return Exit::Done(output),
            Ok(Poll::Pending) => {}
            Err(panic) => return Exit::Panicked(panic),
        }
        let waits = WAITS.with(|w| std::mem::take(&mut *w.borrow_mut()));
        if !runtime.wait(id, waits) {
            return Exit::Cancelled;
        }
    }
    let name = lock(&runtime.sched).tasks[id].described();
    panic!("{name} was polled {POLLS_PER_TASK} times: a busy loop");
}

/// Runs `main` as the main task of a run under loom (what `#[tokio::main]` is to a program),
/// with every task it spawns; returns once every task has finished or been cancelled.
///
/// Call it inside `loom::model`. A panic of `main` is resumed once the other tasks are
/// stopped, so loom reports it as the model's failure.
pub fn run<F: Future>(main: F) -> Ran<F::Output> {
    run_with(PAUSES_PER_TASK, main)
}

/// [`run`], with each task allowed `pauses` sleeps instead of [`PAUSES_PER_TASK`].
///
/// For a program whose sleeps only stand for work done while waiting for a signal: each such
/// sleep is a point where the signal may come, and one or two of them per task already give
/// every order of the signal and the work, while each more multiplies the interleavings.
pub fn run_with<F: Future>(pauses: u32, main: F) -> Ran<F::Output> {
    let runtime = Arc::new(Runtime {
        sched: Mutex::new(Sched::default()),
        pauses,
    });
    lock(&runtime.sched).tasks.push(Task {
        name: "main".to_string(),
        at: None,
        status: Status::Running,
        thread: Some(loom::thread::current()),
        waits: Vec::new(),
        cancelled: false,
        output: None,
        joiner: None,
    });
    CURRENT.with(|c| *c.borrow_mut() = Some((runtime.clone(), 0)));
    PAUSES.with(|p| p.set(0));
    let exit = drive(&runtime, 0, main);

    let stuck = {
        let mut sched = lock(&runtime.sched);
        sched.tasks[0].status = Status::Done;
        sched.schedule.push("main returned".to_string());
        if !sched.shutdown {
            sched.shut_down();
        }
        sched.stuck.take()
    };
    // A task in the middle of a poll finishes that poll, as on a runtime that shuts down;
    // the ones still pending then are cancelled. Joined one by one: a task being cancelled
    // cannot spawn (spawn fails after shutdown).
    loop {
        // Popped in a statement of its own: the lock must not be held across the join.
        let next = lock(&runtime.sched).threads.pop();
        let Some(thread) = next else { break };
        // A task's panic is caught in `drive`, so the join itself cannot fail.
        let _ = thread.join();
    }
    CURRENT.with(|c| *c.borrow_mut() = None);
    let (left_running, schedule) = {
        let mut sched = lock(&runtime.sched);
        let left_running = sched
            .tasks
            .iter()
            .filter(|t| t.cancelled)
            .map(Task::described)
            .collect();
        (left_running, std::mem::take(&mut sched.schedule))
    };

    match exit {
        Exit::Done(output) => Ran {
            output: Some(output),
            left_running,
            stuck: None,
            schedule,
        },
        Exit::Panicked(panic) => resume_unwind(panic),
        Exit::Cancelled => Ran {
            output: None,
            left_running: Vec::new(),
            stuck,
            schedule,
        },
    }
}

/// Why a task did not produce its output: tokio's `JoinError`, which prints the same way
/// (`task 2 panicked with message "boom"`), with the task's number in the run as its id.
pub struct JoinError {
    /// The task's number in the run: `task N` of the reports.
    id: usize,
    /// The panic's payload; `None` if the task was cancelled.
    panic: Option<Box<dyn Any + Send>>,
}

impl JoinError {
    fn panicked(id: usize, panic: Box<dyn Any + Send>) -> Self {
        JoinError {
            id,
            panic: Some(panic),
        }
    }

    fn cancelled(id: usize) -> Self {
        JoinError { id, panic: None }
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        self.panic.is_some()
    }

    /// Whether the task was cancelled (by the end of the run).
    pub fn is_cancelled(&self) -> bool {
        self.panic.is_none()
    }

    /// The panic's payload, as tokio's `JoinError::into_panic`.
    ///
    /// # Panics
    /// If the task was cancelled instead.
    pub fn into_panic(self) -> Box<dyn Any + Send> {
        match self.panic {
            Some(panic) => panic,
            None => panic!("`JoinError::into_panic` on a cancelled task"),
        }
    }

    /// The panic's message, when its payload is a string (as `panic!` makes it).
    fn message(&self) -> Option<&str> {
        let panic = self.panic.as_ref()?;
        panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.id;
        match (&self.panic, self.message()) {
            (None, _) => write!(f, "task {id} was cancelled"),
            (Some(_), Some(message)) => write!(f, "task {id} panicked with message {message:?}"),
            (Some(_), None) => write!(f, "task {id} panicked"),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.id;
        match (&self.panic, self.message()) {
            (None, _) => write!(f, "JoinError::Cancelled(Id({id}))"),
            (Some(_), Some(message)) => write!(f, "JoinError::Panic(Id({id}), {message:?}, ...)"),
            (Some(_), None) => write!(f, "JoinError::Panic(Id({id}), ...)"),
        }
    }
}

impl std::error::Error for JoinError {}

/// A spawned task's handle: awaiting it gives the task's output, or a [`JoinError`] if it
/// panicked or was cancelled. Dropping it detaches the task, as in tokio.
#[derive(Debug)]
pub struct JoinHandle<T> {
    runtime: Arc<Runtime>,
    id: usize,
    output: std::marker::PhantomData<fn() -> T>,
}

impl<T: 'static> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut sched = lock(&self.runtime.sched);
        let task = &mut sched.tasks[self.id];
        match task.output.take() {
            Some(Ok(output)) => match output.downcast::<T>() {
                Ok(output) => Poll::Ready(Ok(*output)),
                Err(_) => unreachable!("a task's output has its future's type"),
            },
            Some(Err(e)) => Poll::Ready(Err(e)),
            None => {
                let Some(current) = CURRENT.with(|c| c.borrow().as_ref().map(|(_, id)| *id)) else {
                    panic!("a JoinHandle awaited outside the run's tasks");
                };
                let _ = cx;
                task.joiner = Some(current);
                drop(sched);
                waiting_on("JoinHandle");
                Poll::Pending
            }
        }
    }
}

/// Spawns `future` as a new task, on a loom thread of its own; must be called from a task of
/// a [`run`].
///
/// # Panics
/// Outside a run, or past loom's thread limit (`loom::MAX_THREADS` threads in a model, the
/// main one included).
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let at = Location::caller();
    let Some((runtime, current)) = CURRENT.with(|c| c.borrow().clone()) else {
        panic!("spawn at {at} outside a run: under loom, start the program with rt::task::run");
    };
    // One critical section: the new thread cannot look at its entry before it exists.
    let mut sched = lock(&runtime.sched);
    let id = sched.tasks.len();
    let handle = JoinHandle {
        runtime: runtime.clone(),
        id,
        output: std::marker::PhantomData,
    };
    let shutdown = sched.shutdown;
    assert!(
        id < loom::MAX_THREADS,
        "spawn at {at}: a run under loom has at most {} tasks besides main",
        loom::MAX_THREADS - 1
    );
    let spawner = sched.tasks[current].name.clone();
    sched.schedule.push(format!("{spawner} spawns task {id}"));
    sched.tasks.push(Task {
        name: format!("task {id}"),
        at: Some(at),
        status: Status::Running,
        thread: None,
        waits: Vec::new(),
        cancelled: false,
        output: None,
        joiner: None,
    });
    if shutdown {
        // The run is ending: the task is cancelled before it starts.
        sched.tasks[id].status = Status::Done;
        sched.tasks[id].cancelled = true;
        sched.tasks[id].output = Some(Err(JoinError::cancelled(id)));
        return handle;
    }
    let task_runtime = runtime.clone();
    let thread = loom::thread::spawn(move || {
        CURRENT.with(|c| *c.borrow_mut() = Some((task_runtime.clone(), id)));
        let exit = drive(&task_runtime, id, future);
        task_runtime.done(id, exit);
        CURRENT.with(|c| *c.borrow_mut() = None);
    });
    sched.threads.push(thread);
    handle
}

/// Gives way to the other tasks once, as tokio's `yield_now`; counts as a pause like a sleep
/// (see [`PAUSES_PER_TASK`]).
pub async fn yield_now() {
    crate::model::concurrent::time::Pause::new().await;
}
