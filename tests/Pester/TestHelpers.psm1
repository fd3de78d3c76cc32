#Requires -Version 7.4
<#
    Shared helpers for the PgBackupTools Pester suites (Backup, Restore, Failures, Repository): a throwaway server
    per test file, psql/pg_dump invocation with the superuser password in PGPASSWORD only for the call, comparable
    dumps, and small repository utilities. The module under test is found through PGBT_MODULE_PATH.
#>

Set-StrictMode -Version 3.0

Import-Module (Join-Path $PSScriptRoot '../tools/TestPostgres.psm1') -Force

function Get-PgbtModulePath {
    if (-not $env:PGBT_MODULE_PATH) { throw 'PGBT_MODULE_PATH is not set; run tests/Pester/Invoke-PesterSuite.ps1 -ModulePath <staged psd1>.' }
    $env:PGBT_MODULE_PATH
}

function Start-PgbtTestServer {
    <# Starts one throwaway PostgreSQL cluster (see tests/tools/TestPostgres.psm1). #>
    Start-TestPostgres
}

function Stop-PgbtTestServer {
    param($Server)
    if ($null -ne $Server) { Stop-TestPostgres -Server $Server }
}

function New-PgbtCredential {
    <# The server's superuser as a PSCredential (the password has quotes, spaces, a colon, a backslash and non-ASCII). #>
    param([Parameter(Mandatory)] $Server, [string] $Password = $Server.Password)
    [pscredential]::new($Server.User, (ConvertTo-SecureString $Password -AsPlainText -Force))
}

function Get-PgbtConnectionArgs {
    <# Splat for the cmdlets: -Host, -Port, -Credential. #>
    param([Parameter(Mandatory)] $Server)
    @{ Host = $Server.Host; Port = $Server.Port; Credential = (New-PgbtCredential $Server) }
}

function Invoke-PgbtClient {
    # Runs a libpq client program from the server's BinDir with PGPASSWORD set only for this call.
    param(
        [Parameter(Mandatory)] $Server,
        [Parameter(Mandatory)] [string] $Program,
        [Parameter(Mandatory)] [string[]] $Arguments,
        [switch] $AllowFailure
    )
    $exe = Join-Path $Server.BinDir $Program
    $saved = @{ PGPASSWORD = $env:PGPASSWORD; LC_ALL = $env:LC_ALL; PGCLIENTENCODING = $env:PGCLIENTENCODING }
    $env:PGPASSWORD = $Server.Password
    $env:LC_ALL = 'C.UTF-8'
    $env:PGCLIENTENCODING = 'UTF8'
    try {
        $output = & $exe -h $Server.Host -p $Server.Port -U $Server.User @Arguments 2>&1
        $code = $LASTEXITCODE
    } finally {
        foreach ($k in $saved.Keys) { Set-Item -Path "env:$k" -Value $saved[$k] }
    }
    $text = @($output | ForEach-Object { "$_" }) -join "`n"
    if ($code -ne 0 -and -not $AllowFailure) { throw "$Program $($Arguments -join ' ') failed (exit $code):`n$text" }
    [pscustomobject]@{ ExitCode = $code; Output = $text }
}

function Invoke-PgbtSql {
    <#
    .SYNOPSIS
        Runs SQL with psql (ON_ERROR_STOP, unaligned, tuples only) and returns the output lines.
        The SQL goes through a UTF-8 file so quoting and non-ASCII survive.
    #>
    param(
        [Parameter(Mandatory)] $Server,
        [string] $Database = 'postgres',
        [Parameter(Mandatory)] [string] $Sql,
        [switch] $AllowFailure
    )
    $file = [System.IO.Path]::GetTempFileName()
    try {
        [System.IO.File]::WriteAllText($file, $Sql, [System.Text.UTF8Encoding]::new($false))
        $out = [System.IO.Path]::GetTempFileName()
        try {
            $r = Invoke-PgbtClient -Server $Server -Program psql -AllowFailure:$AllowFailure -Arguments @(
                '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', $Database, '-f', $file, '-o', $out)
            if ($AllowFailure -and $r.ExitCode -ne 0) { return $r }
            $text = [System.IO.File]::ReadAllText($out, [System.Text.Encoding]::UTF8)
            if ($text.Length -eq 0) { return }
            $text.TrimEnd("`n") -split "`n"
        } finally { Remove-Item -LiteralPath $out -Force -ErrorAction SilentlyContinue }
    } finally {
        Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue
    }
}

function Get-PgbtScalar {
    param([Parameter(Mandatory)] $Server, [string] $Database = 'postgres', [Parameter(Mandatory)] [string] $Sql)
    $r = @(Invoke-PgbtSql -Server $Server -Database $Database -Sql $Sql)
    if ($r.Count -eq 0) { return $null }
    $r[0]
}

function ConvertTo-PgbtLiteral {
    # A SQL string literal.
    param([Parameter(Mandatory)] [string] $Text)
    "'" + $Text.Replace("'", "''") + "'"
}

function ConvertTo-PgbtIdentifier {
    param([Parameter(Mandatory)] [string] $Name)
    '"' + $Name.Replace('"', '""') + '"'
}

function Test-PgbtDatabase {
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [string] $Name)
    (Get-PgbtScalar -Server $Server -Sql "SELECT count(*) FROM pg_database WHERE datname = $(ConvertTo-PgbtLiteral $Name)") -eq '1'
}

function Get-PgbtDatabaseNames {
    param([Parameter(Mandatory)] $Server)
    @(Invoke-PgbtSql -Server $Server -Sql 'SELECT datname FROM pg_database ORDER BY 1')
}

function New-PgbtDatabase {
    <# Creates a database (dropping one of that name first) and runs the optional setup SQL in it. #>
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [string] $Name, [string] $Sql)
    Remove-PgbtDatabase -Server $Server -Name $Name
    $null = Invoke-PgbtSql -Server $Server -Sql "CREATE DATABASE $(ConvertTo-PgbtIdentifier $Name)"
    if ($Sql) { $null = Invoke-PgbtSql -Server $Server -Database $Name -Sql $Sql }
}

function Remove-PgbtDatabase {
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [string] $Name)
    $null = Invoke-PgbtSql -Server $Server -Sql "DROP DATABASE IF EXISTS $(ConvertTo-PgbtIdentifier $Name) WITH (FORCE)"
}

function Get-PgbtDump {
    <#
    .SYNOPSIS
        Plain-format pg_dump of one section (schema or data) with the \restrict/\unrestrict lines (random key,
        pg_dump 15.14+) removed, so dumps of two databases with the same content compare equal.
    #>
    param(
        [Parameter(Mandatory)] $Server,
        [Parameter(Mandatory)] [string] $Database,
        [Parameter(Mandatory)] [ValidateSet('Schema', 'Data')] [string] $Section
    )
    $file = [System.IO.Path]::GetTempFileName()
    try {
        $sectionArg = if ($Section -eq 'Schema') { '--schema-only' } else { '--data-only' }
        $null = Invoke-PgbtClient -Server $Server -Program pg_dump -Arguments @(
            '--format=plain', $sectionArg, '--no-password', '--encoding=UTF8', '-f', $file, '-d', $Database)
        $lines = [System.IO.File]::ReadAllLines($file, [System.Text.Encoding]::UTF8)
        ($lines | Where-Object { $_ -notmatch '^\\(un)?restrict ' }) -join "`n"
    } finally {
        Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue
    }
}

function Compare-PgbtText {
    <#
    .SYNOPSIS
        Returns $null when equal, else a short description of the first difference (keeps Pester output small
        for multi-megabyte dumps).
    #>
    param([AllowEmptyString()] [string] $Expected, [AllowEmptyString()] [string] $Actual)
    if ([string]::Equals($Expected, $Actual, [StringComparison]::Ordinal)) { return $null }
    $e = $Expected -split "`n"
    $a = $Actual -split "`n"
    $n = [Math]::Min($e.Count, $a.Count)
    for ($i = 0; $i -lt $n; $i++) {
        if (-not [string]::Equals($e[$i], $a[$i], [StringComparison]::Ordinal)) {
            $cut = { param($s) if ($s.Length -gt 300) { $s.Substring(0, 300) + '...' } else { $s } }
            return "line $($i + 1) differs:`n  expected: $(& $cut $e[$i])`n  actual:   $(& $cut $a[$i])"
        }
    }
    "line counts differ: expected $($e.Count), actual $($a.Count)"
}

function Assert-PgbtSameContent {
    <# Schema dump, data dump, large objects and sequences of two databases are identical. #>
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [string] $Source, [Parameter(Mandatory)] [string] $Restored)
    Compare-PgbtText (Get-PgbtDump $Server $Source Schema) (Get-PgbtDump $Server $Restored Schema) |
        Should -BeNullOrEmpty -Because "the schema of '$Restored' should equal the schema of '$Source'"
    Compare-PgbtText (Get-PgbtDump $Server $Source Data) (Get-PgbtDump $Server $Restored Data) |
        Should -BeNullOrEmpty -Because "the data of '$Restored' should equal the data of '$Source'"
    $lo = 'SELECT oid, md5(lo_get(oid)) FROM pg_largeobject_metadata ORDER BY oid'
    (@(Invoke-PgbtSql -Server $Server -Database $Restored -Sql $lo) -join "`n") |
        Should -BeExactly (@(Invoke-PgbtSql -Server $Server -Database $Source -Sql $lo) -join "`n")
    $seq = Get-PgbtSequenceStateSql
    (@(Invoke-PgbtSql -Server $Server -Database $Restored -Sql $seq) -join "`n") |
        Should -BeExactly (@(Invoke-PgbtSql -Server $Server -Database $Source -Sql $seq) -join "`n")
}

function Get-PgbtSequenceStateSql {
    # last_value and is_called of every sequence (schema-qualified), via query_to_xml since they live in the sequence relation.
    @'
SELECT n.nspname || '.' || c.relname || '=' ||
       (xpath('/row/v/text()', query_to_xml(format('SELECT last_value::text || '','' || is_called::text AS v FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'S' ORDER BY 1
'@
}

function Get-PgbtTableStats {
    <# Number of user tables and the sum of their row counts, counted by the server. #>
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [string] $Database)
    $sql = @'
SELECT count(*) || ',' || coalesce(sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', schemaname, tablename), false, true, '')))[1]::text::bigint), 0)
FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
'@
    $parts = (Get-PgbtScalar -Server $Server -Database $Database -Sql $sql) -split ','
    [pscustomobject]@{ TableCount = [int]$parts[0]; TotalRows = [long]$parts[1] }
}

function Get-PgbtRichDatabaseSql {
    <#
    .SYNOPSIS
        SQL that builds the round-trip test database: several schemas, quoted/unicode/space names, bytea, jsonb,
        text with newlines/tabs/backslashes, large objects (one ~2 MB), sequences with advanced values, a view, an
        index, a foreign key, a function and comments. -Rows scales the main table.
    #>
    param([int] $Rows = 300, [switch] $NoLargeObjects)
    $lo = if ($NoLargeObjects) { '' } else {
        @'
SELECT lo_from_bytea(0, convert_to('small large object: ü€ 🐘', 'UTF8'));
SELECT lo_from_bytea(0, '\x00ff00ff'::bytea);
SELECT lo_from_bytea(0, (SELECT string_agg(decode(md5(g::text), 'hex'), ''::bytea ORDER BY g) FROM generate_series(1, 131072) g));
DO $c$ BEGIN EXECUTE format('COMMENT ON LARGE OBJECT %s IS %L', (SELECT min(oid) FROM pg_largeobject_metadata), 'first blob'); END $c$;
'@
    }
    @"
CREATE SCHEMA "Sales Dept";
CREATE SCHEMA inventory;
CREATE SCHEMA "Ünïcode ""quoted"" schema";

CREATE TABLE inventory.items (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    attrs jsonb,
    price numeric(12,2)
);
INSERT INTO inventory.items
SELECT g, 'item ' || g, jsonb_build_object('g', g, 'tags', jsonb_build_array('a', 'b"q', 'ü'), 'nested', jsonb_build_object('x', g * 1.5)), g * 3.25
FROM generate_series(1, 50) g;

CREATE TABLE "Sales Dept"."Orders ü" (
    id serial PRIMARY KEY,
    "Grüße x" text,
    payload jsonb,
    blob bytea,
    notes text,
    created timestamptz NOT NULL DEFAULT '2024-01-01 12:00:00+00'
);
INSERT INTO "Sales Dept"."Orders ü" ("Grüße x", payload, blob, notes, created)
SELECT 'Grüße Nr. ' || g,
       jsonb_build_object('order', g, 'text', E'quote " and \\ backslash', 'arr', jsonb_build_array(g, null, true)),
       decode(md5(g::text) || md5((g * 7)::text), 'hex'),
       E'line one\nline two\twith tab\\and backslash\r\n' || repeat('x', g % 17) || E' end\\N',
       timestamptz '2024-01-01 00:00:00+00' + g * interval '37 minutes'
FROM generate_series(1, $Rows) g;
INSERT INTO "Sales Dept"."Orders ü" ("Grüße x", payload, blob, notes) VALUES (NULL, NULL, ''::bytea, '');

CREATE TABLE "Sales Dept"."Order Lines" (
    order_id int NOT NULL REFERENCES "Sales Dept"."Orders ü"(id),
    item_id bigint NOT NULL REFERENCES inventory.items(id),
    qty int NOT NULL CHECK (qty > 0),
    PRIMARY KEY (order_id, item_id)
);
INSERT INTO "Sales Dept"."Order Lines" SELECT o, (o % 50) + 1, (o % 5) + 1 FROM generate_series(1, $Rows) o;
CREATE INDEX "Order Lines by item" ON "Sales Dept"."Order Lines" (item_id, qty DESC);

CREATE TABLE "Ünïcode ""quoted"" schema"."Tabelle mit Leerzeichen" ("Spalte ""1""" text, "Ä ö" int);
INSERT INTO "Ünïcode ""quoted"" schema"."Tabelle mit Leerzeichen" VALUES (E'tab\there', 1), ('日本語', 2), (NULL, NULL);

CREATE TABLE public.empty_table (id int);

CREATE SEQUENCE inventory.ticket_seq INCREMENT BY 7 MINVALUE 5 MAXVALUE 99999999999 START WITH 1000 CACHE 3 CYCLE;
SELECT setval('inventory.ticket_seq', 987654321, true);
CREATE SEQUENCE "Sales Dept"."Rückwärts seq" INCREMENT BY -3 MINVALUE -1000000 MAXVALUE 10 START WITH 10;
SELECT setval('"Sales Dept"."Rückwärts seq"', -4242, false);

CREATE VIEW "Sales Dept"."Order Summary" AS
    SELECT o.id, o."Grüße x", sum(l.qty) AS total_qty
    FROM "Sales Dept"."Orders ü" o JOIN "Sales Dept"."Order Lines" l ON l.order_id = o.id
    GROUP BY o.id, o."Grüße x";

CREATE FUNCTION inventory.total_qty(p_item bigint) RETURNS bigint LANGUAGE sql STABLE AS `$fn`$
    SELECT coalesce(sum(qty), 0) FROM "Sales Dept"."Order Lines" WHERE item_id = p_item
`$fn`$;

COMMENT ON TABLE "Sales Dept"."Orders ü" IS 'Bestellungen – mit Ümlaut und ''Quote''';
COMMENT ON COLUMN "Sales Dept"."Orders ü"."Grüße x" IS E'Spalte mit\nZeilenumbruch';
COMMENT ON SCHEMA inventory IS 'stock';
$lo
"@
}

function New-PgbtRepository {
    <#
    .SYNOPSIS
        Creates a repository under -Root: -Kind KeyFile (a new key file next to it), Passphrase or None.
        Returns Path, KeyArgs (splat for the cmdlets' key parameters), KeyFile, Passphrase.
    #>
    param(
        [Parameter(Mandatory)] [string] $Root,
        [ValidateSet('KeyFile', 'Passphrase', 'None')] [string] $Kind = 'KeyFile',
        [string] $Name = ('repo-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    )
    $path = Join-Path $Root $Name
    $keyArgs = @{}
    $keyFile = $null
    $passphrase = $null
    switch ($Kind) {
        'KeyFile' {
            $keyFile = Join-Path $Root "$Name.key"
            $null = New-PgBackupKeyFile -Path $keyFile
            $null = Initialize-PgBackupRepository -Repository $path -KeyFile $keyFile
            $keyArgs = @{ KeyFile = $keyFile }
        }
        'Passphrase' {
            $passphrase = ConvertTo-SecureString "correct horse ¿battery? staple $Name" -AsPlainText -Force
            $null = Initialize-PgBackupRepository -Repository $path -Passphrase $passphrase
            $keyArgs = @{ Passphrase = $passphrase }
        }
        'None' {
            $null = Initialize-PgBackupRepository -Repository $path -NoEncryption -WarningAction SilentlyContinue
        }
    }
    [pscustomobject]@{ Path = $path; KeyArgs = $keyArgs; KeyFile = $keyFile; Passphrase = $passphrase; Kind = $Kind }
}

function Get-PgbtBackupFolderEntries {
    <# Everything inside <repo>/backups (hidden entries included). #>
    param([Parameter(Mandatory)] [string] $Repository)
    $dir = Join-Path $Repository 'backups'
    if (-not (Test-Path -LiteralPath $dir)) { return @() }
    @(Get-ChildItem -LiteralPath $dir -Force | ForEach-Object Name)
}

function Get-PgDumpProcessIds {
    <# Ids of pg_dump processes whose command line mentions the database (connection string or argument). #>
    param([Parameter(Mandatory)] [string] $Database)
    $ids = foreach ($p in Get-ChildItem /proc -Directory -ErrorAction SilentlyContinue | Where-Object Name -match '^\d+$') {
        try {
            $cmd = [System.IO.File]::ReadAllText("/proc/$($p.Name)/cmdline")
        } catch { continue }
        $argv = $cmd.Split([char]0)
        if ($argv.Count -gt 0 -and [System.IO.Path]::GetFileName($argv[0]) -eq 'pg_dump') {
            $env = try { [System.IO.File]::ReadAllText("/proc/$($p.Name)/environ") } catch { '' }
            if ($cmd.Contains($Database) -or $env.Contains("PGDATABASE=$Database$([char]0)")) { [int]$p.Name }
        }
    }
    @($ids)
}

function Wait-PgbtCondition {
    <# Polls the script block until it returns a truthy value or the timeout passes; returns the last value. #>
    param([Parameter(Mandatory)] [scriptblock] $Condition, [double] $TimeoutSeconds = 30, [int] $IntervalMilliseconds = 50)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    do {
        $value = & $Condition
        if ($value) { return $value }
        Start-Sleep -Milliseconds $IntervalMilliseconds
    } while ([DateTime]::UtcNow -lt $deadline)
    $value
}


function Assert-PgbtErrorId {
    <# The first error record carries the expected ErrorId (FullyQualifiedErrorId 'ErrorId,Command'). #>
    param([AllowNull()] [AllowEmptyCollection()] [object[]] $ErrorRecord, [Parameter(Mandatory)] [string] $ErrorId)
    $records = @($ErrorRecord | Where-Object { $null -ne $_ })
    $records.Count | Should -BeGreaterThan 0 -Because "an error with ErrorId '$ErrorId' was expected"
    $ids = @($records | ForEach-Object { $_.FullyQualifiedErrorId })
    $ids[0] | Should -BeLike "$ErrorId,*" -Because "all errors were: $($ids -join '; ') / $(@($records | ForEach-Object { $_.Exception.Message }) -join ' | ')"
}

function Assert-PgbtNoBackup {
    <# Nothing is listed (also not with -IncludeIncomplete) and backups/ holds no entry at all. #>
    param([Parameter(Mandatory)] $Repository)
    $keyArgs = $Repository.KeyArgs
    $listed = @(Get-PgBackup -Repository $Repository.Path -IncludeIncomplete @keyArgs -ErrorAction Stop)
    $listed.Count | Should -Be 0 -Because 'a failed backup must not be listed'
    Get-PgbtBackupFolderEntries $Repository.Path | Should -BeNullOrEmpty -Because 'a failed backup must leave nothing in backups/'
}

function Start-PgbtRedirectedProcess {
    <# Starts a program with its output redirected, adding -Environment to the inherited variables; returns the Process. #>
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $Arguments = @(), [hashtable] $Environment = @{})
    $psi = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $Arguments) { $psi.ArgumentList.Add($a) }
    foreach ($name in $Environment.Keys) { $psi.Environment[$name] = $Environment[$name] }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    [System.Diagnostics.Process]::Start($psi)
}

function Start-PgbtPsqlProcess {
    <# Starts psql running -Sql in the background (a session that stays connected); returns the Process. #>
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [string] $Database, [Parameter(Mandatory)] [string] $Sql)
    Start-PgbtRedirectedProcess -FilePath (Join-Path $Server.BinDir 'psql') -Environment @{ PGPASSWORD = $Server.Password } -Arguments @(
        '-X', '-q', '-h', $Server.Host, '-p', "$($Server.Port)", '-U', $Server.User, '-d', $Database, '-c', $Sql)
}

function Get-PgbtPwshLeadingArguments {
    <#
        What comes before the options when [Environment]::ProcessPath is started as a child PowerShell: pwsh.dll when
        this PowerShell runs as a dotnet tool (ProcessPath is then dotnet), else nothing.
    #>
    if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { @((Join-Path $PSHOME 'pwsh.dll')) } else { @() }
}

function Start-PgbtPwshScript {
    <# Starts a child PowerShell running a script file with arguments, output redirected; returns the Process. #>
    param([Parameter(Mandatory)] [string] $File, [string[]] $Arguments = @())
    Start-PgbtRedirectedProcess -FilePath ([Environment]::ProcessPath) -Arguments (
        @(Get-PgbtPwshLeadingArguments) + @('-NoProfile', '-NonInteractive', '-File', $File) + $Arguments)
}

function Get-PgbtFileMode {
    param([Parameter(Mandatory)] [string] $Path)
    (& stat -c '%a' -- $Path).Trim()
}

function New-PgbtRecordingListener {
    <# An HTTP listener on 127.0.0.1 that answers 200 and records every request (path, signature header, body). #>
    # The cmdlets block the pipeline thread while they send, so the listener must answer from another thread.
    if (-not ('PgbtRecordingListener' -as [type])) {
        Add-Type -TypeDefinition @'
using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net;
using System.Threading.Tasks;

public sealed class PgbtRecordingListener : IDisposable
{
    private readonly HttpListener _listener = new HttpListener();

    public PgbtRecordingListener(int port)
    {
        Port = port;
        _listener.Prefixes.Add("http://127.0.0.1:" + port + "/");
        _listener.Start();
        Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); } catch (Exception) { return; }
                using (var body = new MemoryStream())
                {
                    await context.Request.InputStream.CopyToAsync(body);
                    Requests.Enqueue(new PgbtRecordedRequest
                    {
                        Path = context.Request.Url.AbsolutePath,
                        Signature = context.Request.Headers["X-PgBackupTools-Signature"],
                        Body = body.ToArray(),
                    });
                }
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });
    }

    public int Port { get; }
    public ConcurrentQueue<PgbtRecordedRequest> Requests { get; } = new ConcurrentQueue<PgbtRecordedRequest>();
    public void Dispose() { _listener.Stop(); _listener.Close(); }
}

public sealed class PgbtRecordedRequest
{
    public string Path { get; set; }
    public string Signature { get; set; }
    public byte[] Body { get; set; }
    public string Text { get { return System.Text.Encoding.UTF8.GetString(Body); } }
}
'@
    }
    [PgbtRecordingListener]::new((Get-PgbtFreePort))
}

function Get-PgbtFreePort {
    $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $l.Start()
    try { $l.LocalEndpoint.Port } finally { $l.Stop() }
}

Export-ModuleMember -Function *-Pgbt*, Get-PgDumpProcessIds
