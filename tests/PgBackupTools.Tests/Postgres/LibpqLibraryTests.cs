using PgBackupTools.Engine.Postgres.Libpq;
using Xunit;

namespace PgBackupTools.Tests.Postgres;

public sealed class LibpqLibraryTests
{
    [Fact]
    public void Looks_beside_the_client_tools_first_then_where_the_system_keeps_it()
    {
        var bin = Path.Combine(Path.GetTempPath(), "pg", "bin");

        var candidates = LibpqLibrary.Candidates(bin).ToList();

        if (OperatingSystem.IsWindows())
        {
            Assert.Equal([Path.Combine(bin, "libpq.dll"), "libpq.dll"], candidates);
        }
        else if (OperatingSystem.IsMacOS())
        {
            Assert.Equal(Path.GetFullPath(Path.Combine(bin, "..", "lib", "libpq.5.dylib")), candidates[0]);
            Assert.Contains("libpq.5.dylib", candidates);
        }
        else
        {
            Assert.Equal([Path.GetFullPath(Path.Combine(bin, "..", "lib", "libpq.so.5")), "libpq.so.5"], candidates);
        }
    }
}
