//! Whether the tests run as a Windows program under Wine, for the few checks where Wine
//! behaves unlike Windows and Linux.

/// True when this Windows program runs under Wine (its registry has `HKCU\Software\Wine`);
/// always false off Windows. Asked once per process, through `reg.exe`, which Windows and
/// Wine both have.
///
/// Known difference (Wine 8.0): a TCP reset is reported as `WSAECONNRESET` only to a
/// `recv` already blocked when it arrives; a later `recv` returns 0, so the client sees an
/// early end of stream instead of a reset.
pub fn under_wine() -> bool {
    #[cfg(windows)]
    {
        static WINE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *WINE.get_or_init(|| {
            std::process::Command::new("reg")
                .args(["query", r"HKCU\Software\Wine"])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
    }
    #[cfg(not(windows))]
    false
}
