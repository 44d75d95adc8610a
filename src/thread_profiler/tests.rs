//! The sampler and the request/release/shutdown protocol against a fake
//! runtime (the real one is exercised by tests/integration/thread_profiler.rs).

use super::*;
use crate::clr::info_snapshot::MAX_FRAMES;
use crate::clr::{ClrResult, HResult};
use crate::ffi::hresult::{E_ABORT, E_FAIL, E_UNEXPECTED, S_FALSE};
use crate::ffi::types::{mdTypeDef, ModuleID, ThreadID};
use std::collections::HashMap;
use std::sync::mpsc;
use std::time::Duration;

const CORPROF_E_STACKSNAPSHOT_UNSAFE: HRESULT = 0x8013_1360_u32 as HRESULT;
const CLDB_E_RECORD_NOTFOUND: HRESULT = crate::ffi::hresult::CLDB_E_RECORD_NOTFOUND;

/// A runtime with fixed threads and methods that records what it is asked.
#[derive(Default)]
struct Fake {
    threads: Vec<(ThreadID, Result<Vec<FunctionID>, HRESULT>)>,
    /// fid → (module, typedef, method name) or a lookup failure.
    methods: HashMap<FunctionID, Result<(ModuleID, mdTypeDef, &'static str), HRESULT>>,
    types: HashMap<(ModuleID, mdTypeDef), &'static str>,
    no_suspend: bool,
    panic_in_snapshot: bool,
    calls: Mutex<Vec<String>>,
    /// While closed, `threads()` blocks (after reporting on `entered`).
    gate: Mutex<bool>,
    gate_changed: Condvar,
    entered: Mutex<Option<mpsc::Sender<()>>>,
}

impl Fake {
    fn call(&self, what: String) {
        self.calls.lock().push(what);
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().clone()
    }

    fn count(&self, prefix: &str) -> usize {
        self.calls()
            .iter()
            .filter(|c| c.starts_with(prefix))
            .count()
    }

    fn close_gate(&self) -> mpsc::Receiver<()> {
        let (tx, rx) = mpsc::channel();
        *self.entered.lock() = Some(tx);
        *self.gate.lock() = true;
        rx
    }

    fn open_gate(&self) {
        *self.gate.lock() = false;
        self.gate_changed.notify_all();
    }
}

impl StackSource for Arc<Fake> {
    fn attach_current_thread(&self) -> ClrResult<()> {
        self.call(format!("attach:{:?}", std::thread::current().name()));
        Ok(())
    }
    fn can_suspend(&self) -> bool {
        !self.no_suspend
    }
    fn suspend_runtime(&self) -> ClrResult<()> {
        self.call("suspend".into());
        Ok(())
    }
    fn resume_runtime(&self) -> ClrResult<()> {
        self.call("resume".into());
        Ok(())
    }
    fn threads(&self) -> ClrResult<Vec<ThreadID>> {
        if let Some(tx) = self.entered.lock().take() {
            let _ = tx.send(());
        }
        let mut closed = self.gate.lock();
        while *closed {
            self.gate_changed.wait(&mut closed);
        }
        Ok(self.threads.iter().map(|t| t.0).collect())
    }
    fn snapshot(&self, thread: ThreadID, frames: &mut FrameBuffer) -> ClrResult<()> {
        assert!(!self.panic_in_snapshot, "injected snapshot fault");
        frames.reset();
        let (_, stack) = self
            .threads
            .iter()
            .find(|t| t.0 == thread)
            .expect("known thread");
        match stack {
            Ok(stack) => {
                stack.iter().for_each(|f| frames.push(*f));
                Ok(())
            }
            Err(hr) => Err(HResult(*hr)),
        }
    }
    fn resolve(
        &self,
        function_id: FunctionID,
        type_known: &dyn Fn(ModuleID, mdTypeDef) -> bool,
    ) -> ClrResult<ResolvedMethod> {
        self.call(format!("resolve:{function_id}"));
        let (module, type_def, method) = self.methods[&function_id].map_err(HResult)?;
        let type_name = if type_known(module, type_def) {
            None
        } else {
            self.call(format!("type:{module}:{type_def}"));
            Some(self.types[&(module, type_def)].to_string())
        };
        Ok(ResolvedMethod {
            module,
            type_def,
            method: method.to_string(),
            type_name,
        })
    }
}

/// Thread 1: 3 → 2 → 1 (leaf first); thread 2: 4 → 0 (native) → 1; thread 3
/// has no managed frames. Functions 1–3 live in module 100, 4 in module 200,
/// whose TypeDef 0x02000002 has the same token as module 100's.
fn fake() -> Fake {
    Fake {
        threads: vec![
            (1, Ok(vec![3, 2, 1])),
            (2, Ok(vec![4, 0, 1])),
            (3, Err(CORPROF_E_STACKSNAPSHOT_UNSAFE)),
        ],
        methods: HashMap::from([
            (1, Ok((100, 0x0200_0002, "Main"))),
            (2, Ok((100, 0x0200_0002, "Run"))),
            (3, Ok((100, 0x0200_0003, "Wait"))),
            (4, Ok((200, 0x0200_0002, "Other"))),
        ]),
        types: HashMap::from([
            ((100, 0x0200_0002), "App.Program"),
            ((100, 0x0200_0003), "App.Waiter"),
            ((200, 0x0200_0002), "Lib.Helper"),
        ]),
        ..Fake::default()
    }
}

fn profiler(fake: Fake) -> (ThreadProfiler, Arc<Fake>) {
    let fake = Arc::new(fake);
    (
        ThreadProfiler::with_source(Box::new(Arc::clone(&fake)), true),
        fake,
    )
}

/// Takes, copies and releases a profile.
fn profile(tp: &ThreadProfiler) -> Vec<MarshaledThreadProfile> {
    tp.request_profile().expect("profile");
    let records = tp
        .shared
        .control
        .lock()
        .held
        .as_ref()
        .map(|p| p.records().to_vec());
    tp.release_profile();
    records.unwrap_or_default()
}

fn held_frames(tp: &ThreadProfiler, thread: ThreadID) -> Vec<FunctionID> {
    let control = tp.shared.control.lock();
    let profile = control.held.as_ref().expect("held profile");
    let index = profile
        .records()
        .iter()
        .position(|r| r.thread_id == thread)
        .expect("thread");
    profile.frames_of(index).to_vec()
}

fn names(tp: &ThreadProfiler, id: FunctionID) -> Option<(String, String)> {
    let cache = tp.shared.names.lock();
    cache.get(id).map(|n| {
        let text = |w: &[u16]| String::from_utf16_lossy(&w[..w.len() - 1]);
        (text(&n.type_name), text(&n.method))
    })
}

#[test]
fn a_profile_has_every_walkable_thread_with_its_frames() {
    let (tp, fake) = profiler(fake());
    let (address, count) = tp.request_profile().unwrap();
    assert_eq!(count, 2, "thread 3 (no managed frames) is omitted");
    assert!(!address.is_null());
    {
        let control = tp.shared.control.lock();
        let records = control.held.as_ref().unwrap().records();
        assert_eq!(address, Address::of(records.as_ptr()));
        assert_eq!(
            (records[0].thread_id, records[0].hresult, records[0].length),
            (1, 0, 3)
        );
        assert_eq!(
            (records[1].thread_id, records[1].hresult, records[1].length),
            (2, 0, 3)
        );
    }
    assert_eq!(held_frames(&tp, 1), vec![3, 2, 1]);
    assert_eq!(
        held_frames(&tp, 2),
        vec![4, 0, 1],
        "native frames stay as 0"
    );
    let calls = fake.calls();
    assert_eq!(
        calls.first().map(String::as_str),
        Some("attach:Some(\"NewRelic thread profiler\")")
    );
    assert_eq!((fake.count("suspend"), fake.count("resume")), (1, 1));
    assert_eq!(calls.last().map(String::as_str), Some("resume"));
}

#[test]
fn a_second_request_before_release_fails() {
    let (tp, _) = profiler(fake());
    assert!(tp.request_profile().is_ok());
    assert_eq!(tp.request_profile(), Err(E_FAIL));
    tp.release_profile();
    assert!(tp.request_profile().is_ok());
}

#[test]
fn an_empty_profile_is_not_held() {
    let (tp, _) = profiler(Fake::default());
    assert_eq!(tp.request_profile(), Ok((Address::NULL, 0)));
    assert_eq!(tp.request_profile(), Ok((Address::NULL, 0)));
}

#[test]
fn without_suspension_on_a_platform_that_needs_it_requests_are_unexpected() {
    let (tp, fake) = profiler(Fake {
        no_suspend: true,
        ..fake()
    });
    assert_eq!(tp.request_profile(), Err(E_UNEXPECTED));
    assert!(fake.calls().is_empty(), "no worker was started");
    let windows_like = ThreadProfiler::with_source(Box::new(Arc::clone(&fake)), false);
    assert_eq!(profile(&windows_like).len(), 2);
    assert_eq!(fake.count("suspend"), 0);
}

#[test]
fn deep_stacks_keep_the_root_most_frames_and_report_s_false() {
    let deep: Vec<FunctionID> = (1..=2000).map(|i| 1000 + i).collect();
    let mut fake = fake();
    fake.threads = vec![(9, Ok(deep.clone())), (10, Ok(deep[..MAX_FRAMES].to_vec()))];
    for f in &deep {
        fake.methods.insert(*f, Ok((100, 0x0200_0002, "Recurse")));
    }
    let (tp, _) = profiler(fake);
    tp.request_profile().unwrap();
    let records = tp
        .shared
        .control
        .lock()
        .held
        .as_ref()
        .unwrap()
        .records()
        .to_vec();
    assert_eq!(
        (records[0].hresult, records[0].length),
        (S_FALSE, 2000 - MAX_FRAMES as i32)
    );
    assert_eq!(held_frames(&tp, 9), deep[MAX_FRAMES..].to_vec());
    assert_eq!(
        (records[1].hresult, records[1].length),
        (0, MAX_FRAMES as i32),
        "exactly full is no wrap"
    );
}

#[test]
fn a_name_lookup_failure_fails_the_thread_once_and_names_it_unknown() {
    let mut fake = fake();
    fake.methods.insert(2, Err(CLDB_E_RECORD_NOTFOUND));
    let (tp, fake) = profiler(fake);
    let first = profile(&tp);
    assert_eq!(
        (first[0].hresult, first[0].length),
        (CLDB_E_RECORD_NOTFOUND, 3)
    );
    assert!(first[0].fids.is_null(), "a failed record carries no frames");
    assert_eq!(first[1].hresult, 0);
    let second = profile(&tp);
    assert_eq!(
        second[0].hresult, 0,
        "the failure is remembered, not retried"
    );
    assert_eq!(fake.count("resolve:2"), 1);
    assert_eq!(names(&tp, 2), None);
    assert_eq!(names(&tp, 3), Some(("App.Waiter".into(), "Wait".into())));
}

#[test]
fn a_lookup_failure_does_not_replace_s_false() {
    let mut fake = fake();
    let mut deep = vec![2; 10];
    deep.extend((0..MAX_FRAMES).map(|_| 1));
    fake.threads = vec![(1, Ok(deep))];
    fake.methods.insert(1, Err(CLDB_E_RECORD_NOTFOUND));
    let (tp, _) = profiler(fake);
    assert_eq!(profile(&tp)[0].hresult, S_FALSE);
}

#[test]
fn type_names_are_keyed_by_module_and_token() {
    let (tp, fake) = profiler(fake());
    profile(&tp);
    assert_eq!(names(&tp, 1), Some(("App.Program".into(), "Main".into())));
    assert_eq!(names(&tp, 2), Some(("App.Program".into(), "Run".into())));
    // Same TypeDef token, other module: its own name (QUIRK 1 of §7.4 fixed).
    assert_eq!(names(&tp, 4), Some(("Lib.Helper".into(), "Other".into())));
    // App.Program's name was read once for both of its methods.
    assert_eq!(fake.count("type:100:33554434"), 1);
}

#[test]
fn the_cache_does_not_grow_with_repeated_profiles() {
    let (tp, fake) = profiler(fake());
    profile(&tp);
    let size = tp.name_cache_size();
    for _ in 0..200 {
        profile(&tp);
    }
    assert_eq!(tp.name_cache_size(), size, "QUIRK 2 of §7.4 fixed");
    assert_eq!(size, (4, 3));
    assert_eq!(fake.count("resolve:"), 4, "each function is looked up once");
}

#[test]
fn function_names_point_at_cached_or_unknown_strings() {
    let (tp, _) = profiler(fake());
    profile(&tp);
    let address = tp.function_names(&[1, 0, usize::MAX, 4]);
    let table = tp.shared.name_table.lock();
    let entries = table.as_ref().unwrap().entries();
    assert_eq!(address, Address::of(entries.as_ptr()));
    let cache = tp.shared.names.lock();
    let one = cache.get(1).unwrap();
    assert_eq!(entries[0].function_id, 1);
    assert_eq!(entries[0].type_name, Address::of(one.type_name.as_ptr()));
    assert_eq!(entries[0].method_name, Address::of(one.method.as_ptr()));
    for entry in &entries[1..3] {
        assert_eq!(entry.type_name, Address::of(UNKNOWN_CLASS.as_ptr()));
        assert_eq!(entry.method_name, Address::of(UNKNOWN_METHOD.as_ptr()));
    }
    assert_eq!(entries[2].function_id, usize::MAX);
    // The table holds its own references to the strings it hands out.
    assert!(Arc::strong_count(&one.type_name) >= 3);
}

#[test]
fn shutdown_clears_names_and_a_later_request_restarts_the_worker() {
    let (tp, fake) = profiler(fake());
    profile(&tp);
    tp.function_names(&[1]);
    tp.shutdown();
    assert_eq!(tp.name_cache_size(), (0, 0));
    assert!(tp.shared.name_table.lock().is_none());
    assert!(tp.shared.control.lock().worker.is_none());
    tp.shutdown();
    assert_eq!(profile(&tp).len(), 2);
    assert_eq!(fake.count("attach"), 2, "a new worker attached itself");
    assert_eq!(names(&tp, 1), Some(("App.Program".into(), "Main".into())));
}

#[test]
fn shutdown_during_a_request_aborts_it() {
    let (tp, fake) = profiler(fake());
    let tp = Arc::new(tp);
    let entered = fake.close_gate();
    let requester = {
        let tp = Arc::clone(&tp);
        std::thread::spawn(move || tp.request_profile())
    };
    entered
        .recv_timeout(Duration::from_secs(10))
        .expect("the worker started profiling");
    let stopper = {
        let tp = Arc::clone(&tp);
        std::thread::spawn(move || tp.shutdown())
    };
    // The request returns while the worker is still stuck in the runtime.
    assert_eq!(requester.join().unwrap(), Err(E_ABORT));
    fake.open_gate();
    stopper.join().unwrap();
    assert_eq!((fake.count("suspend"), fake.count("resume")), (1, 1));
    assert_eq!(profile(&tp).len(), 2, "a later request works");
}

#[test]
fn thread_destroyed_waits_for_the_profile_in_progress() {
    let (tp, fake) = profiler(fake());
    let tp = Arc::new(tp);
    let entered = fake.close_gate();
    let requester = {
        let tp = Arc::clone(&tp);
        std::thread::spawn(move || tp.request_profile().map(|_| ()))
    };
    entered.recv_timeout(Duration::from_secs(10)).unwrap();
    let (done_tx, done_rx) = mpsc::channel();
    let destroyer = {
        let tp = Arc::clone(&tp);
        std::thread::spawn(move || {
            tp.thread_destroyed();
            let _ = done_tx.send(());
        })
    };
    assert!(
        done_rx.recv_timeout(Duration::from_millis(200)).is_err(),
        "ThreadDestroyed must wait"
    );
    fake.open_gate();
    done_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("ThreadDestroyed returns after the profile");
    destroyer.join().unwrap();
    assert_eq!(requester.join().unwrap(), Ok(()));
}

#[test]
fn a_fault_while_profiling_resumes_the_runtime_and_keeps_the_worker() {
    let (tp, fake) = profiler(Fake {
        panic_in_snapshot: true,
        ..fake()
    });
    assert_eq!(tp.request_profile(), Ok((Address::NULL, 0)));
    assert_eq!((fake.count("suspend"), fake.count("resume")), (1, 1));
    assert_eq!(tp.request_profile(), Ok((Address::NULL, 0)));
    assert_eq!(fake.count("attach"), 1, "the same worker goes on");
}

#[test]
fn dropping_the_profiler_stops_its_worker() {
    let (tp, fake) = profiler(fake());
    profile(&tp);
    drop(tp);
    assert_eq!(
        Arc::strong_count(&fake),
        1,
        "the worker released the source"
    );
}
