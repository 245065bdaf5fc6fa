using System.Security.Cryptography;

namespace Leora.Jobs.Tests;

/// <summary>An HTTP job attempt's callback token authenticates that job and attempt only, and carries the claim's lock token.</summary>
public sealed class JobCallbackTokenTests
{
    private static readonly byte[] Key = JobCallbackToken.DeriveKey(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void A_token_reads_back_its_lock_token_for_its_own_job_and_attempt_only()
    {
        var lockToken = Guid.NewGuid();
        var token = JobCallbackToken.Create(Key, 123, 2, lockToken);
        Assert.True(JobCallbackToken.TryRead(Key, 123, 2, token, out var read));
        Assert.Equal(lockToken, read);

        Assert.False(JobCallbackToken.TryRead(Key, 124, 2, token, out _));
        Assert.False(JobCallbackToken.TryRead(Key, 123, 1, token, out _));
        Assert.False(JobCallbackToken.TryRead(JobCallbackToken.DeriveKey(RandomNumberGenerator.GetBytes(32)), 123, 2, token, out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("test-key-one-0123456789abcdef")]
    [InlineData("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    public void Malformed_tokens_are_refused(string? token) => Assert.False(JobCallbackToken.TryRead(Key, 1, 1, token, out _));

    [Fact]
    public void A_token_whose_lock_token_part_is_swapped_is_refused()
    {
        var token = JobCallbackToken.Create(Key, 7, 1, Guid.NewGuid());
        var other = JobCallbackToken.Create(Key, 7, 1, Guid.NewGuid());
        // The lock token of one with the MAC of the other: the MAC binds the lock token too.
        Assert.False(JobCallbackToken.TryRead(Key, 7, 1, other[..22] + token[22..], out _));
    }
}
