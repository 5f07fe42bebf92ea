param($installPath, $toolsPath, $package, $project)
Add-Type -Path (Join-Path $toolsPath 'CbHelper.dll')
[Coinbase.Core.Telemetry]::Version() | Out-Null
