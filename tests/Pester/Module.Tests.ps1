# Module-level checks of the staged PgBackupTools module (out/PgBackupTools/).
# Run through tests/Pester/Invoke-PesterSuite.ps1, which sets PGBT_MODULE_PATH.

BeforeDiscovery {
    $script:ManifestPath = $env:PGBT_MODULE_PATH
    if (-not $ManifestPath) { throw 'PGBT_MODULE_PATH is not set; run tests/Pester/Invoke-PesterSuite.ps1 -ModulePath <staged psd1>.' }
    $script:Exported = @((Import-PowerShellDataFile $ManifestPath).CmdletsToExport)
}

BeforeAll {
    $script:ManifestPath = $env:PGBT_MODULE_PATH
    $script:Manifest = Import-PowerShellDataFile $ManifestPath
    $script:Module = Import-Module $ManifestPath -Force -PassThru | Where-Object Name -eq 'PgBackupTools' | Select-Object -First 1
    $script:ModuleBase = $Module.ModuleBase
    $script:CommonParameters = @([System.Management.Automation.Cmdlet]::CommonParameters) + @([System.Management.Automation.Cmdlet]::OptionalCommonParameters)
    # On .NET 10 the module loads the ReadyToRun build staged for this platform, elsewhere the portable one.
    $script:Rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
    $script:PrecompiledDir = Join-Path $ModuleBase "Dependencies/net10.0-$Rid"
    $script:LoadedDir = if ([Environment]::Version.Major -ge 10 -and (Test-Path (Join-Path $PrecompiledDir 'PgBackupTools.Engine.dll'))) { $PrecompiledDir } else { Join-Path $ModuleBase 'Dependencies' }
    $script:ThirdParty = @('PgBackupTools.Engine', 'Npgsql', 'Serilog', 'Serilog.Sinks.File', 'Serilog.Formatting.Compact', 'SharpCompress', 'MailKit', 'MimeKit', 'BouncyCastle.Cryptography')
}

Describe 'PgBackupTools module' {
    It 'imports in a clean runspace and exports every cmdlet listed in the manifest' {
        $ps = [powershell]::Create([initialsessionstate]::CreateDefault2())
        try {
            $null = $ps.AddScript({
                param($Path)
                $ErrorActionPreference = 'Stop'
                Import-Module $Path
                Get-Command -Module PgBackupTools -CommandType Cmdlet | ForEach-Object Name
            }).AddArgument($ManifestPath)
            $names = @($ps.Invoke())
            $ps.Streams.Error | Should -BeNullOrEmpty
            $ps.HadErrors | Should -BeFalse
            $names.Count | Should -BeGreaterThan 0
            foreach ($c in $Manifest.CmdletsToExport) { $names | Should -Contain $c }
        } finally {
            $ps.Dispose()
        }
    }

    It 'is a binary module whose root is PgBackupTools.dll, with no RequiredAssemblies' {
        $Module.ModuleType | Should -Be 'Binary'
        $Module.ImplementingAssembly.Location | Should -Be (Join-Path $ModuleBase 'PgBackupTools.dll')
        @($Module.RequiredAssemblies).Count | Should -Be 0 -Because 'RequiredAssemblies would load dependencies into the default load context'
    }

    It 'loads the format file' {
        $formatFile = Join-Path $ModuleBase 'PgBackupTools.format.ps1xml'
        $formatFile | Should -Exist
        [xml]$xml = Get-Content $formatFile -Raw
        $typeNames = @($xml.SelectNodes('//ViewSelectedBy/TypeName') | ForEach-Object InnerText | Sort-Object -Unique)
        $typeNames.Count | Should -BeGreaterThan 0
        foreach ($t in $typeNames) { Get-FormatData -TypeName $t | Should -Not -BeNullOrEmpty -Because "the format file defines a view for $t" }
    }
}

Describe '<_>' -ForEach $Exported {
    BeforeAll {
        $script:Name = $_
        $script:Command = Get-Command $Name -Module PgBackupTools
        $script:Help = Get-Help $Name -Full
        $script:Documented = @($Command.Parameters.Values | Where-Object { $CommonParameters -notcontains $_.Name } | ForEach-Object Name)
    }

    It 'has a synopsis written for it' {
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        # Without MAML help PowerShell makes the synopsis up from the syntax.
        $Help.Synopsis.Trim() | Should -Not -Match "^$([regex]::Escape($Name))\b" -Because 'the synopsis should come from en-US/PgBackupTools.dll-Help.xml'
    }

    It 'has a description' {
        ($Help.description | ForEach-Object Text) -join '' | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example' {
        @($Help.examples.example).Count | Should -BeGreaterThan 0
        foreach ($ex in @($Help.examples.example)) { $ex.code | Should -Not -BeNullOrEmpty }
    }

    It 'describes every parameter' {
        $helpParams = @($Help.parameters.parameter)
        foreach ($p in $Documented) {
            $hp = $helpParams | Where-Object name -eq $p
            $hp | Should -Not -BeNullOrEmpty -Because "-$p should appear in the help"
            (($hp.description | ForEach-Object Text) -join '').Trim() | Should -Not -BeNullOrEmpty -Because "-$p needs a description"
        }
    }

    It 'declares an OutputType' {
        @($Command.OutputType).Count | Should -BeGreaterThan 0
    }

    It 'takes secrets only as SecureString or PSCredential' {
        foreach ($p in $Command.Parameters.Values) {
            if ($p.Name -match 'Passphrase|Password') { $p.ParameterType | Should -Be ([securestring]) -Because "-$($p.Name) is a secret" }
            if ($p.Name -eq 'Credential') { $p.ParameterType | Should -Be ([pscredential]) }
        }
    }
}

Describe 'Cmdlets that change or replace data' {
    It '<_> supports -WhatIf and -Confirm' -ForEach @('Restore-PgBackup', 'Set-PgBackupRepositoryKey') {
        $c = Get-Command $_ -Module PgBackupTools -ErrorAction Ignore
        if (-not $c) { Set-ItResult -Skipped -Because "$_ is not exported yet"; return }
        $c.Parameters.Keys | Should -Contain 'WhatIf'
        $c.Parameters.Keys | Should -Contain 'Confirm'
    }
}

Describe 'Result types in scripts' {
    It 'resolves [PgBackupTools.<Name>] as a type literal although the type lives in the private load context' -ForEach @(
        @{ Name = 'Backup' }, @{ Name = 'RestoreResult' }, @{ Name = 'VerificationResult' }, @{ Name = 'HealthReport' }, @{ Name = 'RetentionDecision' }
    ) {
        $type = "PgBackupTools.$Name" -as [type]
        $type | Should -Not -BeNullOrEmpty
        $type.FullName | Should -Be "PgBackupTools.$Name"
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($type.Assembly).Name | Should -Be 'PgBackupTools'
    }

    It 'lets scripts test results with -is' {
        $info = Initialize-PgBackupRepository -Repository (Join-Path $TestDrive 'typed-repo') -NoEncryption -WarningAction SilentlyContinue
        $info -is [PgBackupTools.RepositoryInfo] | Should -BeTrue
    }
}

Describe 'Assembly isolation' {
    BeforeAll {
        $script:Alc = [System.Runtime.Loader.AssemblyLoadContext]
        # Exercise the engine once so that it is really loaded, as it would be in use.
        if (Get-Command New-PgBackupKeyFile -Module PgBackupTools -ErrorAction Ignore) {
            $null = New-PgBackupKeyFile -Path (Join-Path $TestDrive 'isolation.key')
        }
        $script:ModuleAlc = $Alc::All | Where-Object Name -eq 'PgBackupTools' | Select-Object -First 1
    }

    It 'loads only PgBackupTools.dll from the module into the default load context' {
        $fromModule = @($Alc::Default.Assemblies | Where-Object { -not $_.IsDynamic -and $_.Location -and $_.Location.StartsWith($ModuleBase) })
        @($fromModule | ForEach-Object { [IO.Path]::GetFileName($_.Location) }) | Should -Be @('PgBackupTools.dll')
        $leaked = @($Alc::Default.Assemblies | Where-Object { $ThirdParty -contains $_.GetName().Name } | ForEach-Object { $_.GetName().Name })
        $leaked | Should -BeNullOrEmpty -Because 'the engine and its dependencies belong in the module''s own AssemblyLoadContext'
    }

    It 'has an AssemblyLoadContext named "PgBackupTools"' {
        $ModuleAlc | Should -Not -BeNullOrEmpty
        $ModuleAlc | Should -Not -Be $Alc::Default
    }

    It 'stages a ReadyToRun build for .NET 10 on this platform beside the portable one' {
        Join-Path $ModuleBase 'Dependencies/PgBackupTools.Engine.dll' | Should -Exist
        Join-Path $PrecompiledDir 'PgBackupTools.Engine.dll' | Should -Exist
        Join-Path $PrecompiledDir 'Npgsql.dll' | Should -Exist
        Join-Path $PrecompiledDir 'SharpCompress.dll' | Should -Exist
    }

    It 'resolves Npgsql from Dependencies/ inside that context, not the default one' {
        if (-not $ModuleAlc) { throw 'no AssemblyLoadContext named PgBackupTools' }
        $npgsql = $ModuleAlc.Assemblies | Where-Object { $_.GetName().Name -eq 'Npgsql' } | Select-Object -First 1
        if (-not $npgsql) { $npgsql = $ModuleAlc.LoadFromAssemblyName([Reflection.AssemblyName]::new('Npgsql')) }
        $Alc::GetLoadContext($npgsql) | Should -Be $ModuleAlc
        $npgsql.Location | Should -Be (Join-Path $LoadedDir 'Npgsql.dll')
        @($Alc::Default.Assemblies | Where-Object { $_.GetName().Name -eq 'Npgsql' }) | Should -BeNullOrEmpty
        @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Npgsql' -and $Alc::GetLoadContext($_) -ne $ModuleAlc }) |
            Should -BeNullOrEmpty -Because 'no other copy of Npgsql should be loaded'
    }

    It 'holds the engine in that context' {
        if (-not $ModuleAlc) { throw 'no AssemblyLoadContext named PgBackupTools' }
        $engine = $ModuleAlc.Assemblies | Where-Object { $_.GetName().Name -eq 'PgBackupTools.Engine' } | Select-Object -First 1
        if (-not $engine) { $engine = $ModuleAlc.LoadFromAssemblyName([Reflection.AssemblyName]::new('PgBackupTools.Engine')) }
        $Alc::GetLoadContext($engine) | Should -Be $ModuleAlc
        $engine.Location | Should -Be (Join-Path $LoadedDir 'PgBackupTools.Engine.dll')
    }
}
