//! Work of a request that takes many milliseconds of CPU (a report over the whole
//! administration) runs on a thread of its own at the lowest priority, never on the event
//! loop: the worker that took the request goes on answering tools' checks meanwhile, and
//! the kernel runs any check before it. Under a core that is busy with checks, a report
//! takes longer; a check never waits for a report.

use std::panic::AssertUnwindSafe;

/// Why heavy work gave no result: its thread could not start, or the work panicked (the
/// panic is logged; the request gets an error, the server goes on).
#[derive(Debug, thiserror::Error)]
pub enum HeavyWorkError {
    #[error("the thread for the work could not start: {0}")]
    Spawn(std::io::Error),
    #[error("the work panicked")]
    Panicked,
}

impl From<HeavyWorkError> for sea_orm::DbErr {
    fn from(error: HeavyWorkError) -> Self {
        sea_orm::DbErr::Custom(error.to_string())
    }
}

/// Runs `work` on a new thread at idle priority and waits for it without blocking the
/// event loop. A new thread each time: a thread's priority cannot be raised again without
/// privileges, so pooled threads must not be lowered.
pub async fn run<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HeavyWorkError> {
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("kiwi-heavy".into())
        .spawn(move || {
            lower_own_priority();
            let _ = done.send(std::panic::catch_unwind(AssertUnwindSafe(work)));
        })
        .map_err(HeavyWorkError::Spawn)?;
    match result.await {
        Ok(Ok(value)) => Ok(value),
        _ => {
            tracing::error!("heavy work panicked; the request answers with an error");
            Err(HeavyWorkError::Panicked)
        }
    }
}

/// SCHED_IDLE for the calling thread: it runs only when no other thread wants the core,
/// and any waking check preempts it at once. Where that is refused, the lowest nice value.
fn lower_own_priority() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: both calls change the scheduling of the calling thread alone (id 0 is the
        // caller on Linux) and read nothing but the parameter passed.
        let idle = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } == 0;
        if !idle {
            unsafe {
                libc::setpriority(libc::PRIO_PROCESS, 0, 19);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_runs_at_idle_priority_and_a_panic_is_an_error() {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        {
            // SAFETY: both read the calling thread's scheduling.
            let (policy, nice) = run(|| unsafe {
                (
                    libc::sched_getscheduler(0),
                    libc::getpriority(libc::PRIO_PROCESS, 0),
                )
            })
            .await
            .unwrap();
            assert!(
                policy == libc::SCHED_IDLE || nice == 19,
                "policy {policy}, nice {nice}"
            );
        }
        assert_eq!(run(|| 6 * 7).await.unwrap(), 42);
        assert!(matches!(
            run(|| -> u32 { panic!("a report went wrong") }).await,
            Err(HeavyWorkError::Panicked)
        ));
    }
}
