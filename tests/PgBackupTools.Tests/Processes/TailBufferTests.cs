using System.Text;
using PgBackupTools.Engine.Processes;
using Xunit;

namespace PgBackupTools.Tests.Processes;

public class TailBufferTests
{
    [Theory]
    [InlineData(new[] { 3 }, "abc")]
    [InlineData(new[] { 3, 4 }, "defg")]
    [InlineData(new[] { 10 }, "ghij")]
    [InlineData(new[] { 2, 9 }, "hijk")]
    [InlineData(new[] { 1, 1, 1, 1, 1, 1 }, "cdef")]
    public void KeepsTheLastBytes(int[] chunkSizes, string expected)
    {
        var buffer = new TailBuffer(4);
        var letter = 'a';
        foreach (var size in chunkSizes)
        {
            var chunk = new string(Enumerable.Range(0, size).Select(_ => letter++).ToArray());
            buffer.Write(Encoding.ASCII.GetBytes(chunk));
        }

        Assert.Equal(expected, buffer.ToString());
        Assert.Equal(chunkSizes.Sum(), buffer.TotalBytesWritten);
    }
}
