# Sign one file with the release certificate (Authenticode, SHA-256, RFC 3161 timestamp).
#   powershell -NoProfile -ExecutionPolicy Bypass -File installer\sign.ps1 <file>
# Reads SIGNING_CERT_PFX (path to the .pfx written from a CI secret) and
# SIGNING_CERT_PASSWORD from the environment, so no secret appears on a command line.
# Used for the app exe and, through PERISAI_SIGN_COMMAND, by NSIS for the uninstaller
# and the installer.
param([Parameter(Mandatory = $true)][string]$File)
$ErrorActionPreference = "Stop"
if (-not $env:SIGNING_CERT_PFX -or -not (Test-Path $env:SIGNING_CERT_PFX)) {
    Write-Error "SIGNING_CERT_PFX is not set or missing"; exit 2
}
$timestamp = if ($env:SIGNING_TIMESTAMP_URL) { $env:SIGNING_TIMESTAMP_URL } else { "http://timestamp.digicert.com" }
$signtool = Get-ChildItem "${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe" |
    Sort-Object FullName -Descending | Select-Object -First 1
if (-not $signtool) { Write-Error "signtool.exe not found (Windows SDK)"; exit 2 }
& $signtool.FullName sign /f $env:SIGNING_CERT_PFX /p $env:SIGNING_CERT_PASSWORD `
    /fd SHA256 /tr $timestamp /td SHA256 /d "Perisai Agent" $File
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
& $signtool.FullName verify /pa $File
exit $LASTEXITCODE
