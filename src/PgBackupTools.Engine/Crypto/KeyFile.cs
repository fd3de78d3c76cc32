using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Crypto;

/// <summary>
/// A key file: line 1 "pgbackuptools-key-v1", line 2 base64 of 32 random bytes, trailing newline.
/// Owner-only (0600) on Unix; a key file readable by others is refused.
/// </summary>
public static class KeyFile
{
    public const string FormatLine = "pgbackuptools-key-v1";

    private const int Base64KeyLength = 44; // base64 of 32 bytes, one '=' of padding
    private const int MaximumFileLength = 1024;

    private const UnixFileMode GroupOrOtherAccess =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private static readonly byte[] FormatLineBytes = Encoding.ASCII.GetBytes(FormatLine);

    /// <summary>Writes a new random 256-bit key file; never overwrites an existing file.</summary>
    public static void Create(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            // Set at creation so there is no moment where the key is readable by others.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var content = new byte[FormatLineBytes.Length + 1 + Base64KeyLength + 1];
        Span<byte> key = stackalloc byte[CryptoSizes.Key];
        try
        {
            RandomNumberGenerator.Fill(key);
            FormatLineBytes.CopyTo(content, 0);
            content[FormatLineBytes.Length] = (byte)'\n';
            Base64.EncodeToUtf8(key, content.AsSpan(FormatLineBytes.Length + 1), out _, out _);
            content[^1] = (byte)'\n';

            using var stream = OpenNew(path, options);
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(content);
        }
    }

    /// <summary>Returns the 32 key bytes; the caller zeroes them when done.</summary>
    public static byte[] Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new PgBackupException(
                "KeyFileNotFound",
                ErrorKind.ObjectNotFound,
                $"The key file '{path}' does not exist. Check -KeyFile.")
            { Target = path };
        }

        ThrowIfAccessibleByOthers(path);

        byte[] content;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            if (stream.Length > MaximumFileLength)
            {
                throw Invalid(path, "it is too large to be a key file");
            }

            content = new byte[stream.Length];
            stream.ReadExactly(content);
        }

        try
        {
            return Parse(content, path);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(content);
        }
    }

    private static FileStream OpenNew(string path, FileStreamOptions options)
    {
        if (File.Exists(path) || Directory.Exists(path))
        {
            throw Exists(path);
        }

        try
        {
            return new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw Exists(path);
        }
    }

    private static byte[] Parse(ReadOnlySpan<byte> content, string path)
    {
        if (!content.StartsWith(FormatLineBytes))
        {
            throw Invalid(path, $"the first line is not '{FormatLine}'");
        }

        var rest = content[FormatLineBytes.Length..];
        rest = SkipLineBreak(rest);
        if (rest.Length < Base64KeyLength)
        {
            throw Invalid(path, "the key line is missing or too short");
        }

        var keyLine = rest[..Base64KeyLength];
        var trailer = rest[Base64KeyLength..];
        if (trailer.Trim("\r\n"u8).Length != 0)
        {
            throw Invalid(path, "there is unexpected content after the key line");
        }

        var key = new byte[CryptoSizes.Key];
        var status = Base64.DecodeFromUtf8(keyLine, key, out var consumed, out var written);
        if (status != System.Buffers.OperationStatus.Done || consumed != Base64KeyLength || written != CryptoSizes.Key)
        {
            CryptographicOperations.ZeroMemory(key);
            throw Invalid(path, "the key line is not base64 of 32 bytes");
        }

        return key;
    }

    private static ReadOnlySpan<byte> SkipLineBreak(ReadOnlySpan<byte> text)
    {
        if (text.StartsWith("\r\n"u8))
        {
            return text[2..];
        }

        return text.StartsWith("\n"u8) ? text[1..] : ReadOnlySpan<byte>.Empty;
    }

    private static void ThrowIfAccessibleByOthers(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOtherAccess) != 0)
        {
            throw new PgBackupException(
                "KeyFileInsecurePermissions",
                ErrorKind.SecurityError,
                $"The key file '{path}' is accessible by other users (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}). " +
                $"Restrict it to its owner with: chmod 600 '{path}'")
            { Target = path };
        }
    }

    private static PgBackupException Exists(string path) =>
        new("KeyFileExists", ErrorKind.ResourceExists,
            $"'{path}' already exists; a key file is never overwritten. Choose another path, or remove the old file " +
            "only if no repository still needs it.")
        { Target = path };

    private static PgBackupException Invalid(string path, string reason) =>
        new("KeyFileInvalid", ErrorKind.InvalidData,
            $"'{path}' is not a valid key file: {reason}. A key file has the line '{FormatLine}' followed by a line " +
            "with the base64 of 32 bytes.")
        { Target = path };
}
