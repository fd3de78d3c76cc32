using System.Text;
using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using Xunit;

namespace PgBackupTools.Tests.Crypto;

public sealed class KeyFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void CreatedFileHasFormatLineBase64KeyAndTrailingNewline()
    {
        var path = _dir.File("repo.key");
        KeyFile.Create(path);

        var lines = File.ReadAllText(path).Split('\n');
        var key = KeyFile.Read(path);

        Assert.Equal(3, lines.Length);
        Assert.Equal("pgbackuptools-key-v1", lines[0]);
        Assert.Equal(key, Convert.FromBase64String(lines[1]));
        Assert.Equal("", lines[2]);
        Assert.Equal(32, key.Length);
    }

    [Fact]
    public void EachCreatedKeyIsDifferent()
    {
        KeyFile.Create(_dir.File("a"));
        KeyFile.Create(_dir.File("b"));
        Assert.NotEqual(KeyFile.Read(_dir.File("a")), KeyFile.Read(_dir.File("b")));
    }

    [Fact]
    public void CreatedFileIsOwnerReadWriteOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = _dir.File("repo.key");
        KeyFile.Create(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead)] // 644
    [InlineData(UnixFileMode.UserRead | UnixFileMode.GroupRead)] // 440
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherExecute)] // 601
    public void FileAccessibleByOthersIsRefused(UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = _dir.File("repo.key");
        KeyFile.Create(path);
        File.SetUnixFileMode(path, mode);

        var error = Assert.Throws<PgBackupException>(() => KeyFile.Read(path));

        Assert.Equal("KeyFileInsecurePermissions", error.ErrorId);
        Assert.Equal(ErrorKind.SecurityError, error.Kind);
        Assert.Contains($"chmod 600 '{path}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OwnerOnlyReadIsAccepted()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = _dir.File("repo.key");
        KeyFile.Create(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead);

        Assert.Equal(32, KeyFile.Read(path).Length);
    }

    [Fact]
    public void ExistingFileIsNeverOverwritten()
    {
        var path = _dir.File("repo.key");
        File.WriteAllText(path, "precious");

        var error = Assert.Throws<PgBackupException>(() => KeyFile.Create(path));

        Assert.Equal("KeyFileExists", error.ErrorId);
        Assert.Equal(ErrorKind.ResourceExists, error.Kind);
        Assert.Equal("precious", File.ReadAllText(path));
    }

    [Fact]
    public void MissingFileIsNotFound()
    {
        var error = Assert.Throws<PgBackupException>(() => KeyFile.Read(_dir.File("missing.key")));
        Assert.Equal("KeyFileNotFound", error.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, error.Kind);
    }

    [Fact]
    public void MissingKeyFileSurfacesWhenUnlocking()
    {
        using var master = MasterKey.Generate();
        var source = KeySource.FromKeyFile(_dir.File("missing.key"));

        var error = Assert.Throws<PgBackupException>(() => master.Wrap(source, KdfParameters.CreateForKeyFile(), "r"));
        Assert.Equal("KeyFileNotFound", error.ErrorId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("pgbackuptools-key-v2\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")]
    [InlineData("pgbackuptools-key-v1\n")]
    [InlineData("pgbackuptools-key-v1\nAAAA\n")]
    [InlineData("pgbackuptools-key-v1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n")] // 31 bytes
    [InlineData("pgbackuptools-key-v1\n!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")]
    [InlineData("pgbackuptools-key-v1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nextra\n")]
    [InlineData("pgbackuptools-key-v1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")]
    public void MalformedFileIsInvalid(string content)
    {
        var path = WriteOwnerOnly("bad.key", content);

        var error = Assert.Throws<PgBackupException>(() => KeyFile.Read(path));

        Assert.Equal("KeyFileInvalid", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
    }

    [Theory]
    [InlineData("pgbackuptools-key-v1\r\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n")]
    [InlineData("pgbackuptools-key-v1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")]
    public void LineEndingVariantsAreAccepted(string content)
    {
        var path = WriteOwnerOnly("ok.key", content);
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), KeyFile.Read(path));
    }

    private string WriteOwnerOnly(string name, string content)
    {
        var path = _dir.File(name);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(Encoding.ASCII.GetBytes(content));
        return path;
    }
}
