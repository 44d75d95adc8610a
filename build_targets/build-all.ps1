<#
.SYNOPSIS
  Windows twin of build_targets/build-all: builds NewRelic.Profiler.dll for
  win-x64 and win-x86 with the MSVC toolchain, checks the exports and runs
  the smoke host natively.

.DESCRIPTION
  Needs rustup with the x86_64-pc-windows-msvc and i686-pc-windows-msvc
  targets (`rustup target add i686-pc-windows-msvc`) and the Visual Studio
  C++ build tools. Run it from a "Developer PowerShell for VS" so that
  dumpbin.exe and cl.exe are on PATH: without dumpbin the export check is
  skipped, without cl the smoke test is skipped (each says so).
  The x86 smoke host needs the x86 compiler: run once from an x64 and once
  from an x86 developer prompt, or pass -Targets to pick one.

  Outputs: target\platforms\<platform>\NewRelic.Profiler.dll, as build-all.
  Packaging (agent-home tarballs) is build_targets/package, a bash script
  (Git Bash or WSL).

.EXAMPLE
  pwsh build_targets/build-all.ps1
  pwsh build_targets/build-all.ps1 -Targets win-x64
#>
param(
    [string[]] $Targets = @('win-x64', 'win-x86')
)
$ErrorActionPreference = 'Stop'
$repo = Split-Path -Parent $PSScriptRoot
$out = if ($env:NR_PLATFORMS_OUT) { $env:NR_PLATFORMS_OUT } else { Join-Path $repo 'target/platforms' }
$triples = @{ 'win-x64' = 'x86_64-pc-windows-msvc'; 'win-x86' = 'i686-pc-windows-msvc' }
$hostArch = @{ 'win-x64' = 'x64'; 'win-x86' = 'x86' }

# Expected exports: build_targets/exports.txt; required once src/ defines them.
$sources = (Get-ChildItem -Recurse -Filter *.rs (Join-Path $repo 'src') | Get-Content -Raw) -join "`n"
$exports = Get-Content (Join-Path $PSScriptRoot 'exports.txt') |
    Where-Object { $_ -match '^\s*[A-Za-z]' } |
    ForEach-Object { $name = ($_ -split '\s+')[0]; [pscustomobject]@{ Name = $name; Required = ($sources -match "fn\s+$name\s*\(") } }

$rows = @()
foreach ($p in $Targets) {
    $triple = $triples[$p]
    if (-not $triple) { throw "unknown platform $p (win-x64, win-x86)" }
    $row = [ordered]@{ platform = $p; build = '-'; size = '-'; exports = '-'; smoke = '-'; note = '' }
    $installed = & rustup target list --installed 2>$null
    if ($installed -notcontains $triple) {
        $row.build = 'skipped'; $row.note = "rustup target $triple not installed (rustup target add $triple)"
        $rows += [pscustomobject]$row; continue
    }
    Write-Host "[build-all] ${p}: cargo build --release --lib --target $triple"
    Push-Location $repo
    try { & cargo build --release --lib --target $triple; $ok = ($LASTEXITCODE -eq 0) } finally { Pop-Location }
    if (-not $ok) { $row.build = 'FAILED'; $rows += [pscustomobject]$row; continue }
    $row.build = 'ok'
    $dir = Join-Path $out $p
    New-Item -ItemType Directory -Force $dir | Out-Null
    $dll = Join-Path $dir 'NewRelic.Profiler.dll'
    Copy-Item (Join-Path $repo "target/$triple/release/NewRelicProfiler.dll") $dll -Force
    $row.size = '{0:N2} MB' -f ((Get-Item $dll).Length / 1e6)

    if (Get-Command dumpbin -ErrorAction SilentlyContinue) {
        $names = & dumpbin /nologo /exports $dll | ForEach-Object { if ($_ -match '^\s+\d+\s+[0-9A-F]+\s+[0-9A-F]+\s+(\S+)') { $Matches[1] } }
        $missing = $exports | Where-Object { $_.Required -and ($names -notcontains $_.Name) } | ForEach-Object Name
        $decorated = $names | Where-Object { $_ -match '@' -or $_ -match '^_[A-Z]' }
        $pending = ($exports | Where-Object { -not $_.Required }).Count
        if ($missing -or $decorated) {
            $row.exports = 'FAILED'; $row.note += "missing: $missing decorated: $decorated "
        } else {
            $row.exports = "$($exports.Count - $pending)/$($exports.Count)" + $(if ($pending) { " ($pending pending)" } else { '' })
        }
    } else { $row.exports = 'skipped'; $row.note += 'dumpbin not on PATH (use a Developer PowerShell). ' }

    if (Get-Command cl -ErrorAction SilentlyContinue) {
        $smokeDir = Join-Path $dir 'smoke'
        New-Item -ItemType Directory -Force (Join-Path $smokeDir 'logs') | Out-Null
        Push-Location $smokeDir
        try {
            & cl /nologo /O1 (Join-Path $PSScriptRoot 'smoke/host.c') /Fe:host.exe | Out-Null
            if ($LASTEXITCODE -ne 0) { throw 'cl failed' }
            $env:NEW_RELIC_PROFILER_LOG_DIRECTORY = Join-Path $smokeDir 'logs'
            $output = & .\host.exe $dll
            $code = $LASTEXITCODE
            Remove-Item Env:NEW_RELIC_PROFILER_LOG_DIRECTORY
            $output | ForEach-Object { Write-Host "    $_" }
            if ($code -eq 0 -and ($output -contains 'smoke: OK')) { $row.smoke = 'ok' }
            elseif ($output -match 'load FAILED: Win32 error 193') {
                $row.smoke = 'skipped'; $row.note += "cl builds $($env:VSCMD_ARG_TGT_ARCH) hosts; $($hostArch[$p]) needs the $($hostArch[$p]) developer prompt. "
            } else { $row.smoke = 'FAILED' }
        } catch { $row.smoke = 'skipped'; $row.note += "$_ " } finally { Pop-Location }
    } else { $row.smoke = 'skipped'; $row.note += 'cl not on PATH (use a Developer PowerShell). ' }
    $rows += [pscustomobject]$row
}

$rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
if ($rows | Where-Object { $_.build -eq 'FAILED' -or $_.exports -eq 'FAILED' -or $_.smoke -eq 'FAILED' }) { exit 1 }
