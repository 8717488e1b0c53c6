//! The one table of the guide's code blocks: what each becomes in the corrected guide, and the
//! errata its note cites.

/// One `rust` code block of the guide, found by the section it is in.
#[derive(Debug)]
pub struct Block {
    /// What the block becomes.
    pub code: Code,
    /// The errata the code corrects, cited in a note under it (errata of prose and tables are
    /// cited where those are corrected).
    pub errata: &'static [&'static str],
}

/// What a guide block becomes.
#[derive(Debug)]
pub enum Code {
    /// The guide's block, unchanged: it has no defect. A fragment of statements, which the
    /// tests compile inside a function.
    Kept {
        /// The guide's `##` heading the block is under.
        chapter: &'static str,
        /// The guide's `###` heading the block is under.
        heading: &'static str,
    },
    /// A program made of regions of the crate's sources, rewritten to the guide's style
    /// ([`super::rewrite`]); it prints what the catalog pattern `pattern` prints, and is found
    /// under that pattern's heading.
    Program {
        /// The catalog pattern whose example this is.
        pattern: &'static str,
        /// `(file under src/, region name)`, in the order shown.
        regions: &'static [(&'static str, &'static str)],
        /// The function of the regions that becomes `main`.
        main: &'static str,
    },
}

const fn program(
    pattern: &'static str,
    regions: &'static [(&'static str, &'static str)],
    main: &'static str,
    errata: &'static [&'static str],
) -> Block {
    Block {
        code: Code::Program {
            pattern,
            regions,
            main,
        },
        errata,
    }
}

/// Every `rust` block of the guide, in the guide's order.
pub const BLOCKS: &[Block] = &[
    Block {
        code: Code::Kept {
            chapter: "mpsc - Multi-Producer, Single-Consumer",
            heading: "Bounded vs Unbounded",
        },
        errata: &[],
    },
    program("mpsc-basic", &[("mpsc.rs", "basic")], "basic", &[]),
    program(
        "mpsc-multi-producer",
        &[("mpsc.rs", "multi_producer"), ("mpsc.rs", "fan_in")],
        "multi_producer",
        &[],
    ),
    program(
        "mpsc-backpressure",
        &[
            ("mpsc.rs", "backpressure"),
            ("mpsc.rs", "backpressure_with"),
        ],
        "backpressure",
        &["E13"],
    ),
    program(
        "mpsc-shutdown",
        &[
            ("mpsc.rs", "shutdown"),
            ("mpsc.rs", "run_worker"),
            ("mpsc.rs", "do_work"),
        ],
        "shutdown",
        &["E18"],
    ),
    program(
        "oneshot-request-response",
        &[
            ("oneshot.rs", "request_response"),
            ("oneshot.rs", "expensive_computation"),
        ],
        "request_response",
        &[],
    ),
    program(
        "oneshot-dropped-sender",
        &[("oneshot.rs", "dropped_sender")],
        "dropped_sender",
        &[],
    ),
    program(
        "oneshot-spawn-with-result",
        &[
            ("oneshot.rs", "spawn_with_result"),
            ("oneshot.rs", "spawn_with_result_pattern"),
        ],
        "spawn_with_result_pattern",
        &["E01"],
    ),
    program(
        "broadcast-basic",
        &[("broadcast.rs", "basic")],
        "basic",
        &[],
    ),
    program(
        "broadcast-lagging",
        &[
            ("broadcast.rs", "lagging"),
            ("broadcast.rs", "lag_and_drain"),
        ],
        "lagging",
        &["E02"],
    ),
    program(
        "broadcast-events",
        &[
            ("broadcast.rs", "Event"),
            ("broadcast.rs", "events"),
            ("broadcast.rs", "Delivery"),
            ("broadcast.rs", "Subscriber"),
            ("broadcast.rs", "distribute"),
            ("broadcast.rs", "Logger"),
            ("broadcast.rs", "Analytics"),
        ],
        "events",
        &["E06"],
    ),
    program("watch-basic", &[("watch.rs", "basic")], "basic", &[]),
    program(
        "watch-multi-receiver",
        &[("watch.rs", "multi_receiver")],
        "multi_receiver",
        &[],
    ),
    program(
        "watch-changed",
        &[("watch.rs", "changed"), ("watch.rs", "follow")],
        "changed",
        &[],
    ),
    program(
        "watch-idle-timeout",
        &[
            ("proxy/relay.rs", "relay"),
            ("watch.rs", "idle_timeout"),
            ("watch.rs", "bytes_str"),
        ],
        "idle_timeout",
        &["E14", "E15", "E16", "E17", "E20", "E21"],
    ),
    program(
        "select-shutdown",
        &[
            ("advanced/select_shutdown.rs", "run"),
            ("advanced/select_shutdown.rs", "worker"),
        ],
        "run",
        &["E08", "E09"],
    ),
    program(
        "app-shutdown",
        &[("advanced/app_shutdown.rs", "app")],
        "run",
        &["E03", "E04"],
    ),
    program(
        "state-machine",
        &[("advanced/state_machine.rs", "state_machine")],
        "run",
        &["E07"],
    ),
];
