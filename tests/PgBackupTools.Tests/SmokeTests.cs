using PgBackupTools.Engine;
using Xunit;

namespace PgBackupTools.Tests;

public class SmokeTests
{
    [Fact]
    public void EngineReportsVersion() => Assert.Equal("0.1.0", EngineInfo.Version);
}
