# Sourced by build_targets/build-all and build_targets/runtime-check: one
# private Wine prefix per architecture, checked before use and recreated
# when broken.
#
#   wine_prefix_ready TOOLS_DIR x64|x86 LOG
#     exports WINEPREFIX (TOOLS_DIR/wineprefix-<arch>) and WINEARCH; returns
#     0 when the prefix runs a program of that architecture; sets $why.
#
# Why the check: a prefix records at creation what the Wine installed then
# could do. One created before wine32:i386 was installed has an empty
# syswow64 and every later 32-bit (and, for that prefix, every) wine call
# fails ("could not load kernel32.dll", status c0000135). A pure win32
# prefix for x86 and a win64 prefix for x64 keep the two apart: the x86
# prefix can only be made once wine32 is there, and is remade if it is not
# healthy.
#
#   wine_install_stub TOOLS_DIR x64|x86 STUB_C LOG
#     builds build_targets/smoke/bcryptprimitives.c with MinGW-w64 into the
#     prefix's system32 when the prefix lacks bcryptprimitives.dll (Wine 8):
#     Rust's std imports ProcessPrng from it, and without it the DLL does not
#     load — for the .NET runtime that means silently running without the
#     profiler.

#   wine_loader x64|x86
#     sets $WINE to the loader for that architecture: Debian's `wine` script
#     runs the 32-bit loader whenever wine32:i386 is installed, which fails
#     outright ("Exec format error") on a kernel that cannot execute 32-bit
#     x86 programs, so x64 uses the 64-bit loader directly.
wine_loader() {
  WINE=wine
  if [ "$1" = x64 ]; then
    if command -v wine64 >/dev/null; then WINE="$(command -v wine64)"
    elif [ -x /usr/lib/wine/wine64 ]; then WINE=/usr/lib/wine/wine64
    fi
  fi
  export WINE
}

# The kernel runs 32-bit x86 programs (IA-32 emulation): checked with Wine's
# own 32-bit loader when there is one.
wine_can_run_32bit() {
  [ -x /usr/lib/wine/wine ] || return 0
  /usr/lib/wine/wine --version >/dev/null 2>&1
}

wine_prefix_healthy() {
  # (the echo runs in the prefix's own cmd.exe: 64-bit in win64, 32-bit in win32)
  local out
  out="$(WINEDEBUG=-all timeout 120 "$WINE" cmd /c echo wine-prefix-ok 2>/dev/null | tr -d '\r')" || return 1
  [ "$out" = wine-prefix-ok ] || return 1
  [ -f "$WINEPREFIX/drive_c/windows/system32/kernel32.dll" ]
}

wine_prefix_ready() {
  local tools="$1" arch="$2" logf="$3"
  export WINEPREFIX="$tools/wineprefix-$arch"
  case "$arch" in x64) export WINEARCH=win64 ;; x86) export WINEARCH=win32 ;; esac
  wine_loader "$arch"
  if [ "$arch" = x86 ] && ! wine_can_run_32bit; then
    why="this kernel cannot execute 32-bit x86 programs (Wine's 32-bit loader: Exec format error), so Wine cannot run win-x86 here"
    return 1
  fi
  if [ -f "$WINEPREFIX/system.reg" ] && wine_prefix_healthy; then return 0; fi
  if [ -e "$WINEPREFIX" ]; then
    echo "wine: the $arch prefix $WINEPREFIX does not run programs: recreating it" | tee -a "$logf"
    WINEDEBUG=-all wineserver -k 2>/dev/null || true
    rm -rf "$WINEPREFIX"
  fi
  echo "wine: creating the $arch prefix $WINEPREFIX" >>"$logf"
  # (no Mono/Gecko install prompts while creating it; nothing is disabled later)
  WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" timeout 600 "$WINE" wineboot -i >>"$logf" 2>&1 || true
  WINEDEBUG=-all wineserver -w 2>/dev/null || true
  if ! wine_prefix_healthy; then
    why="the $arch Wine prefix $WINEPREFIX cannot run programs (see $logf)"
    return 1
  fi
}

wine_install_stub() {
  local tools="$1" arch="$2" stub_c="$3" logf="$4" gcc
  local dll="$tools/wineprefix-$arch/drive_c/windows/system32/bcryptprimitives.dll"
  [ ! -e "$dll" ] || return 0
  mkdir -p "$(dirname "$dll")"
  case "$arch" in x64) gcc=x86_64-w64-mingw32-gcc ;; x86) gcc=i686-w64-mingw32-gcc ;; esac
  "$gcc" -shared -O1 -Wl,--kill-at -o "$dll" "$stub_c" -ladvapi32 >>"$logf" 2>&1 || {
    why="could not build the bcryptprimitives stub with $gcc (see $logf)"
    return 1
  }
}
