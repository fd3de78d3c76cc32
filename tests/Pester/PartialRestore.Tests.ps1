# Restore-PgBackup -Table/-Schema: the runbook's "partial corruption" case. One damaged table of a live database
# gets exactly its original rows back, in one transaction, and no other table changes.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PgbtModulePath) -Force
    $script:Server = Start-PgbtTestServer
    $script:Conn = Get-PgbtConnectionArgs $Server
    $script:Root = Join-Path $TestDrive 'repos'
    $null = New-Item -ItemType Directory -Path $Root
    $script:Repo = New-PgbtRepository -Root $Root -Kind KeyFile
    $script:Key = $Repo.KeyArgs
    $script:Db = 'live shop'
    New-PgbtDatabase $Server $Db @'
CREATE SCHEMA "Sales Dept";
CREATE TABLE "Sales Dept".customers (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE "Sales Dept"."Orders ü" (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES "Sales Dept".customers(id), note text);
CREATE INDEX orders_note ON "Sales Dept"."Orders ü" (note);
CREATE TABLE public.audit (id bigserial PRIMARY KEY, what text);
INSERT INTO "Sales Dept".customers (name) SELECT 'customer ' || g FROM generate_series(1, 300) g;
INSERT INTO "Sales Dept"."Orders ü" SELECT g, 1 + g % 300, E'note\t' || g FROM generate_series(1, 4000) g;
INSERT INTO public.audit (what) SELECT 'event ' || g FROM generate_series(1, 50) g;
'@
    $script:Backup = Invoke-PgBackup -Repository $Repo.Path -Database $Db @Conn @Key -ErrorAction Stop
    $script:Digest = {
        param([string] $Table)
        Get-PgbtScalar -Server $Server -Database $Db -Sql "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM $Table t"
    }
    $script:OrdersDigest = & $Digest '"Sales Dept"."Orders ü"'
    $script:CustomersDigest = & $Digest '"Sales Dept".customers'
}

AfterAll {
    Stop-PgbtTestServer $Server
}

Describe 'Restore-PgBackup -Table' {
    It 'refuses to touch an existing table without -Force' {
        $null = Invoke-PgbtSql -Server $Server -Database $Db -Sql 'DELETE FROM "Sales Dept"."Orders ü" WHERE id <= 10'
        $r = $Backup | Restore-PgBackup -TargetDatabase $Db -Table 'Orders ü' -Schema 'Sales Dept' @Conn @Key -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        Assert-PgbtErrorId $err 'TableExists'
        (& $Digest '"Sales Dept"."Orders ü"') | Should -Not -Be $OrdersDigest
    }

    It 'brings back exactly the original rows of a damaged table and changes no other table' {
        $null = Invoke-PgbtSql -Server $Server -Database $Db -Sql @'
DELETE FROM "Sales Dept"."Orders ü" WHERE id % 7 = 0;
UPDATE "Sales Dept"."Orders ü" SET note = 'damaged' WHERE id % 5 = 0;
INSERT INTO public.audit (what) VALUES ('written after the backup');
'@
        $auditBefore = & $Digest 'public.audit'
        $r = $Backup | Restore-PgBackup -TargetDatabase $Db -Table 'Sales Dept.Orders ü' -Force @Conn @Key -Confirm:$false -ErrorAction Stop
        $r.Tables | Should -Be 1
        $r.Rows | Should -Be 4000
        (& $Digest '"Sales Dept"."Orders ü"') | Should -Be $OrdersDigest
        (& $Digest '"Sales Dept".customers') | Should -Be $CustomersDigest
        (& $Digest 'public.audit') | Should -Be $auditBefore -Because 'rows written after the backup to other tables must stay'
        Get-PgbtScalar -Server $Server -Database $Db -Sql "SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_note'" | Should -Be '1'
    }

    It 'recreates a dropped table with its data, index, primary key and foreign key' {
        $null = Invoke-PgbtSql -Server $Server -Database $Db -Sql 'DROP TABLE "Sales Dept"."Orders ü"'
        $r = $Backup | Restore-PgBackup -TargetDatabase $Db -Schema 'Sales Dept' -Table 'Orders ü' @Conn @Key -Confirm:$false -ErrorAction Stop
        $r.Tables | Should -Be 1
        (& $Digest '"Sales Dept"."Orders ü"') | Should -Be $OrdersDigest
        $constraints = @(Invoke-PgbtSql -Server $Server -Database $Db -Sql "SELECT conname FROM pg_constraint WHERE conrelid = '""Sales Dept"".""Orders ü""'::regclass ORDER BY 1")
        $constraints.Count | Should -Be 2
        Get-PgbtScalar -Server $Server -Database $Db -Sql "SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_note'" | Should -Be '1'
    }

    It 'resets the sequence a replaced table owns' {
        $null = Invoke-PgbtSql -Server $Server -Database $Db -Sql "SELECT setval(pg_get_serial_sequence('""Sales Dept"".customers', 'id'), 9999)"
        $null = $Backup | Restore-PgBackup -TargetDatabase $Db -Table 'Sales Dept.customers' -Force @Conn @Key -Confirm:$false -ErrorAction Stop
        Get-PgbtScalar -Server $Server -Database $Db -Sql "SELECT last_value FROM ""Sales Dept"".customers_id_seq" | Should -Be '300'
    }

    It 'rolls back completely when the restore fails, and names an unknown table' {
        # The table's shape changed since the backup: COPY cannot load the old rows, so nothing may change,
        # not even the DELETE that ran first in the same transaction.
        $null = Invoke-PgbtSql -Server $Server -Database $Db -Sql 'ALTER TABLE public.audit DROP COLUMN what; DELETE FROM public.audit WHERE id > 40'
        $before = & $Digest 'public.audit'
        $before | Should -Match '^40:'
        $r = $Backup | Restore-PgBackup -TargetDatabase $Db -Table 'audit' -Force @Conn @Key -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        Assert-PgbtErrorId $err 'RestoreFailed'
        (& $Digest 'public.audit') | Should -Be $before

        $null = $Backup | Restore-PgBackup -TargetDatabase $Db -Table 'no_such_table' @Conn @Key -Confirm:$false -ErrorVariable err2 -ErrorAction SilentlyContinue
        Assert-PgbtErrorId $err2 'NothingToRestore'
    }
}
