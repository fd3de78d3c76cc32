using PgBackupTools.Engine.Pipeline;
using Xunit;

namespace PgBackupTools.Tests.Pipeline;

public class ReadAheadStreamTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4095)]
    [InlineData(1_000_000)]
    public async Task DeliversExactlyTheSourceBytesInOrder(int size)
    {
        var data = new byte[size];
        new Random(size).NextBytes(data);
        await using var readAhead = new ReadAheadStream(new TrickleStream(data, 777), 4096, 3, CancellationToken.None);
        using var copy = new MemoryStream();
        var buffer = new byte[1000];
        int read;
        while ((read = await readAhead.ReadAsync(buffer)) > 0)
        {
            copy.Write(buffer, 0, read);
        }

        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task ASourceFailureReachesTheConsumer()
    {
        await using var readAhead = new ReadAheadStream(new FailingStream(10_000), 4096, 2, CancellationToken.None);
        var ex = await Assert.ThrowsAsync<IOException>(() => readAhead.CopyToAsync(Stream.Null));
        Assert.Equal("source broke", ex.Message);
    }

    [Fact]
    public async Task StaysAtMostDepthBuffersAheadOfTheConsumer()
    {
        var source = new TrickleStream(new byte[10_000_000], 4096);
        await using var readAhead = new ReadAheadStream(source, 4096, 2, CancellationToken.None);
        var one = new byte[1];
        Assert.Equal(1, await readAhead.ReadAsync(one));
        await Task.Delay(300);
        // One buffer being consumed, two queued, one being filled: never the whole 10 MB.
        Assert.InRange(source.Position, 4096, 4 * 4096);
    }

    private sealed class TrickleStream(byte[] data, int maxRead) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, maxRead)], cancellationToken);
    }

    private sealed class FailingStream(int failAfter) : Stream
    {
        private int _given;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _given; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_given >= failAfter)
            {
                throw new IOException("source broke");
            }

            var n = Math.Min(count, 1000);
            _given += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
