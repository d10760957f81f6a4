//! Goroutine states as the viewer shows them: the runtime's state plus, for
//! blocked goroutines, a category derived from the wait reason.

/// Goroutine state codes stored in records (mirror `trace_format::GoState`).
pub mod code {
    /// Unknown (before the goroutine was first seen).
    pub const UNDETERMINED: u8 = 0;
    /// Ended (or not yet created).
    pub const NOT_EXIST: u8 = 1;
    /// Ready to run.
    pub const RUNNABLE: u8 = 2;
    /// Running on a P.
    pub const RUNNING: u8 = 3;
    /// Blocked.
    pub const WAITING: u8 = 4;
    /// In a system call.
    pub const SYSCALL: u8 = 5;
}

/// Converts the reader's state into a record code.
pub fn code_of(s: trace_format::GoState) -> u8 {
    use trace_format::GoState as S;
    match s {
        S::Undetermined => code::UNDETERMINED,
        S::NotExist => code::NOT_EXIST,
        S::Runnable => code::RUNNABLE,
        S::Running => code::RUNNING,
        S::Waiting => code::WAITING,
        S::Syscall => code::SYSCALL,
    }
}

/// What a span is coloured by: the state, and for blocked goroutines why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Category {
    /// Executing Go code.
    Running = 0,
    /// Ready, waiting for a P.
    Runnable = 1,
    /// In a system call.
    Syscall = 2,
    /// Blocked on a channel send or receive.
    Chan = 3,
    /// Blocked in `select`.
    Select = 4,
    /// Blocked on a `sync` primitive (mutex, cond, WaitGroup…).
    Sync = 5,
    /// Blocked on network I/O.
    Network = 6,
    /// Sleeping (`time.Sleep`, timers).
    Sleep = 7,
    /// Blocked by the garbage collector or runtime internals.
    Gc = 8,
    /// Blocked for another (or no) reason.
    OtherWait = 9,
    /// Not running, state unknown or goroutine not alive.
    None = 10,
}

impl Category {
    /// Every category, in legend order.
    pub const ALL: [Category; 11] = [
        Category::Running,
        Category::Runnable,
        Category::Syscall,
        Category::Chan,
        Category::Select,
        Category::Sync,
        Category::Network,
        Category::Sleep,
        Category::Gc,
        Category::OtherWait,
        Category::None,
    ];
    /// The categories that mean "blocked".
    pub const BLOCKED: [Category; 7] = [
        Category::Chan,
        Category::Select,
        Category::Sync,
        Category::Network,
        Category::Sleep,
        Category::Gc,
        Category::OtherWait,
    ];
    /// Number of categories.
    pub const COUNT: usize = 11;

    /// Decodes a stored category byte.
    pub fn from_u8(b: u8) -> Category {
        Category::ALL
            .get(b as usize)
            .copied()
            .unwrap_or(Category::None)
    }

    /// Short human name for legends and statistics.
    pub fn name(self) -> &'static str {
        match self {
            Category::Running => "running",
            Category::Runnable => "runnable",
            Category::Syscall => "syscall",
            Category::Chan => "blocked: chan",
            Category::Select => "blocked: select",
            Category::Sync => "blocked: sync",
            Category::Network => "blocked: network",
            Category::Sleep => "blocked: sleep",
            Category::Gc => "blocked: GC/runtime",
            Category::OtherWait => "blocked: other",
            Category::None => "not alive",
        }
    }

    /// Whether this is a blocked category.
    pub fn is_blocked(self) -> bool {
        (self as u8) >= Category::Chan as u8 && self != Category::None
    }

    /// Category of a state code and (for waiting) its reason.
    pub fn of(state: u8, reason: &str) -> Category {
        match state {
            code::RUNNING => Category::Running,
            code::RUNNABLE => Category::Runnable,
            code::SYSCALL => Category::Syscall,
            code::WAITING => wait_category(reason),
            _ => Category::None,
        }
    }
}

/// Classifies a wait reason string (the runtime's `waitReason` names).
pub fn wait_category(reason: &str) -> Category {
    if reason.starts_with("chan") {
        Category::Chan
    } else if reason.starts_with("select") {
        Category::Select
    } else if reason.starts_with("sync") || reason.contains("Cond") || reason.contains("semacquire")
    {
        Category::Sync
    } else if reason.contains("network") || reason.contains("IO wait") {
        Category::Network
    } else if reason.contains("sleep") || reason.contains("timer") {
        Category::Sleep
    } else if reason.contains("GC")
        || reason.contains("system goroutine")
        || reason.contains("preempted")
        || reason.contains("sweep")
        || reason.contains("finalizer")
    {
        Category::Gc
    } else {
        Category::OtherWait
    }
}

/// Name of a state code.
pub fn state_name(state: u8) -> &'static str {
    match state {
        code::NOT_EXIST => "not existing",
        code::RUNNABLE => "runnable",
        code::RUNNING => "running",
        code::WAITING => "blocked",
        code::SYSCALL => "syscall",
        _ => "undetermined",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_of_runtime_wait_reasons() {
        // Reason strings as the runtime writes them (runtime/runtime2.go waitReasonStrings).
        assert_eq!(wait_category("chan receive"), Category::Chan);
        assert_eq!(wait_category("chan send"), Category::Chan);
        assert_eq!(wait_category("chan receive (nil chan)"), Category::Chan);
        assert_eq!(wait_category("select"), Category::Select);
        assert_eq!(wait_category("select (no cases)"), Category::Select);
        assert_eq!(wait_category("sync"), Category::Sync);
        assert_eq!(wait_category("sync.Cond.Wait"), Category::Sync);
        assert_eq!(wait_category("network"), Category::Network);
        assert_eq!(wait_category("sleep"), Category::Sleep);
        assert_eq!(wait_category("GC mark assist wait for work"), Category::Gc);
        assert_eq!(wait_category("wait until GC ends"), Category::Gc);
        assert_eq!(wait_category("system goroutine wait"), Category::Gc);
        assert_eq!(wait_category("forever"), Category::OtherWait);
        assert_eq!(wait_category(""), Category::OtherWait);
        for c in Category::ALL {
            assert_eq!(Category::from_u8(c as u8), c);
        }
        assert!(Category::Chan.is_blocked() && !Category::Running.is_blocked());
        assert!(!Category::None.is_blocked());
    }
}
