//! Windows process facts (reference-profiler §9), through a handful of
//! hand-declared Win32 functions rather than a bindings crate.

use std::ffi::c_void;

type Handle = *mut c_void;
const INVALID_HANDLE_VALUE: Handle = -1isize as Handle;
const TH32CS_SNAPPROCESS: u32 = 0x2;
const PROCESS_QUERY_LIMITED_INFORMATION: u32 = 0x1000;
const HKEY_LOCAL_MACHINE: isize = 0x8000_0002u32 as i32 as isize;
const RRF_RT_REG_SZ: u32 = 0x2;
const CSIDL_COMMON_APPDATA: i32 = 0x23;
const MAX_PATH: usize = 260;

#[repr(C)]
struct ProcessEntry32W {
    dw_size: u32,
    cnt_usage: u32,
    th32_process_id: u32,
    th32_default_heap_id: usize,
    th32_module_id: u32,
    cnt_threads: u32,
    th32_parent_process_id: u32,
    pc_pri_class_base: i32,
    dw_flags: u32,
    sz_exe_file: [u16; MAX_PATH],
}

#[link(name = "kernel32")]
extern "system" {
    fn GetCommandLineW() -> *const u16;
    fn GetCurrentProcessId() -> u32;
    fn CreateToolhelp32Snapshot(flags: u32, pid: u32) -> Handle;
    fn Process32FirstW(snapshot: Handle, entry: *mut ProcessEntry32W) -> i32;
    fn Process32NextW(snapshot: Handle, entry: *mut ProcessEntry32W) -> i32;
    fn OpenProcess(access: u32, inherit: i32, pid: u32) -> Handle;
    fn QueryFullProcessImageNameW(
        process: Handle,
        flags: u32,
        name: *mut u16,
        size: *mut u32,
    ) -> i32;
    fn CloseHandle(handle: Handle) -> i32;
    fn LocalFree(mem: *mut c_void) -> *mut c_void;
}

#[link(name = "shell32")]
extern "system" {
    fn CommandLineToArgvW(cmd: *const u16, argc: *mut i32) -> *mut *mut u16;
    fn SHGetFolderPathW(
        hwnd: *mut c_void,
        csidl: i32,
        token: Handle,
        flags: u32,
        path: *mut u16,
    ) -> i32;
}

#[link(name = "advapi32")]
extern "system" {
    fn RegGetValueW(
        key: isize,
        sub_key: *const u16,
        value: *const u16,
        flags: u32,
        kind: *mut u32,
        data: *mut c_void,
        size: *mut u32,
    ) -> i32;
}

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// Reads a NUL-terminated UTF-16 string the OS owns.
///
/// # Safety
/// `ptr` must be null or point at a NUL-terminated UTF-16 string.
unsafe fn from_wide_ptr(ptr: *const u16) -> String {
    if ptr.is_null() {
        return String::new();
    }
    let mut len = 0usize;
    // SAFETY: the caller guarantees a NUL terminator, so every read up to it is in bounds.
    unsafe {
        while *ptr.add(len) != 0 {
            len += 1;
        }
        String::from_utf16_lossy(std::slice::from_raw_parts(ptr, len))
    }
}

fn from_wide_buf(buf: &[u16]) -> String {
    let end = buf.iter().position(|c| *c == 0).unwrap_or(buf.len());
    String::from_utf16_lossy(&buf[..end])
}

pub fn process_path() -> String {
    std::env::current_exe()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| ".".to_string())
}

pub fn process_directory() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.to_string_lossy().into_owned()))
        .unwrap_or_else(|| ".".to_string())
}

pub fn command_line() -> String {
    // SAFETY: GetCommandLineW returns a process-lifetime NUL-terminated string.
    unsafe { from_wide_ptr(GetCommandLineW()) }
}

/// Parent process image path via a Toolhelp snapshot; empty on any failure.
pub fn parent_process_path() -> String {
    // SAFETY: plain Win32 calls with locally owned buffers; every handle
    // opened here is closed before returning.
    unsafe {
        let snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
        if snapshot == INVALID_HANDLE_VALUE || snapshot.is_null() {
            return String::new();
        }
        let me = GetCurrentProcessId();
        let mut entry: ProcessEntry32W = std::mem::zeroed();
        entry.dw_size = std::mem::size_of::<ProcessEntry32W>() as u32;
        let mut parent = None;
        let mut ok = Process32FirstW(snapshot, &mut entry);
        while ok != 0 {
            if entry.th32_process_id == me {
                parent = Some(entry.th32_parent_process_id);
                break;
            }
            ok = Process32NextW(snapshot, &mut entry);
        }
        CloseHandle(snapshot);
        let Some(parent) = parent else {
            return String::new();
        };
        let process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, parent);
        if process.is_null() {
            return String::new();
        }
        let mut buf = [0u16; 1024];
        let mut size = buf.len() as u32;
        let ok = QueryFullProcessImageNameW(process, 0, buf.as_mut_ptr(), &mut size);
        CloseHandle(process);
        if ok == 0 {
            return String::new();
        }
        String::from_utf16_lossy(&buf[..(size as usize).min(buf.len())])
    }
}

/// The argument after `-ap`, surrounding double quotes stripped (§2.2).
pub fn app_pool_id_from_command_line() -> Option<String> {
    let mut argc = 0i32;
    // SAFETY: CommandLineToArgvW returns `argc` valid string pointers in one
    // LocalAlloc block, freed below.
    let args: Vec<String> = unsafe {
        let argv = CommandLineToArgvW(GetCommandLineW(), &mut argc);
        if argv.is_null() {
            return None;
        }
        let list = (0..argc.max(0) as usize)
            .map(|i| from_wide_ptr(*argv.add(i)))
            .collect();
        LocalFree(argv.cast());
        list
    };
    super::app_pool_from_args(&args)
}

pub fn registry_home() -> Option<String> {
    let sub_key = wide(r"Software\New Relic\.NET Agent");
    let value = wide("NewRelicHome");
    let mut buf = vec![0u16; 1024];
    let mut size = (buf.len() * 2) as u32;
    // SAFETY: the buffer and its byte size describe valid writable memory.
    let status = unsafe {
        RegGetValueW(
            HKEY_LOCAL_MACHINE,
            sub_key.as_ptr(),
            value.as_ptr(),
            RRF_RT_REG_SZ,
            std::ptr::null_mut(),
            buf.as_mut_ptr().cast(),
            &mut size,
        )
    };
    if status != 0 {
        return None;
    }
    Some(from_wide_buf(&buf))
}

pub fn common_app_data() -> String {
    let mut buf = [0u16; MAX_PATH];
    // SAFETY: SHGetFolderPathW writes at most MAX_PATH units into `buf`.
    let hr = unsafe {
        SHGetFolderPathW(
            std::ptr::null_mut(),
            CSIDL_COMMON_APPDATA,
            std::ptr::null_mut(),
            0,
            buf.as_mut_ptr(),
        )
    };
    if hr < 0 {
        return String::new();
    }
    from_wide_buf(&buf)
}
