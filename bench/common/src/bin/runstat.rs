//! `runstat <stats-file> <command> [args...]`: runs the command (stdout and stderr
//! passed through), then writes its resource use to `<stats-file>` as one line
//!
//! ```text
//! wall_s=0.512345 user_s=0.301234 sys_s=0.102345 maxrss_kb=2345 minflt=812 exit=0
//! ```
//!
//! and exits with the command's status. CPU times come from `getrusage(RUSAGE_CHILDREN)`
//! with microsecond resolution (GNU time prints only hundredths of a second, too coarse
//! for a 20,000-request run at ~10 µs each); `maxrss_kb` is the peak resident set of the
//! command and `minflt` its minor page faults (memory first touched).

use std::process::{Command, ExitCode};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: runstat <stats-file> <command> [args...]");
        return ExitCode::from(2);
    }
    let start = Instant::now();
    let status = match Command::new(&args[1]).args(&args[2..]).status() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("runstat: cannot run {}: {e}", args[1]);
            return ExitCode::from(127);
        }
    };
    let wall = start.elapsed();
    let usage = children_usage();
    let code = status.code().unwrap_or(128);
    let line = format!(
        "wall_s={:.6} user_s={:.6} sys_s={:.6} maxrss_kb={} minflt={} exit={code}\n",
        wall.as_secs_f64(),
        usage.user_s,
        usage.sys_s,
        usage.maxrss_kb,
        usage.minflt
    );
    if let Err(e) = std::fs::write(&args[0], line) {
        eprintln!("runstat: cannot write {}: {e}", args[0]);
    }
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

struct Usage {
    user_s: f64,
    sys_s: f64,
    maxrss_kb: i64,
    minflt: i64,
}

fn children_usage() -> Usage {
    // SAFETY: `getrusage` only writes the struct we pass, which is zero-initialised
    // plain data of the right type.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) != 0 {
            return Usage {
                user_s: f64::NAN,
                sys_s: f64::NAN,
                maxrss_kb: -1,
                minflt: -1,
            };
        }
        ru
    };
    let secs = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    Usage {
        user_s: secs(ru.ru_utime),
        sys_s: secs(ru.ru_stime),
        maxrss_kb: ru.ru_maxrss,
        minflt: ru.ru_minflt,
    }
}
