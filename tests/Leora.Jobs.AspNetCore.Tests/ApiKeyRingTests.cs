using Microsoft.Extensions.Configuration;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>The key ring reads every documented form of API key once, for the API and the dashboard alike.</summary>
public sealed class ApiKeyRingTests
{
    private static ApiKeySet Read(params (string Key, string Value)[] settings) =>
        ApiKeyRing.Read(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build());

    private static (bool Full, bool ReadOnly) Match(ApiKeySet keys, string key) => keys.Match(ApiKeySet.Digest(key));

    [Fact]
    public void The_environment_key_is_one_key_taken_whole()
    {
        var keys = Read(("JOB_PROCESSOR_API_KEY", "  env,key  "));
        Assert.Equal(1, keys.FullCount);
        Assert.Equal((true, false), Match(keys, "env,key"));
        Assert.Equal((false, false), Match(keys, "env"));
    }

    [Fact]
    public void A_list_of_keys_holds_one_key_per_entry()
    {
        var keys = Read(("Jobs:ApiKeys:0", "first"), ("Jobs:ApiKeys:1", " second "), ("Jobs:ApiKeys:2", ""), ("Jobs:ApiKeys:3", "x,long-secret"));
        Assert.Equal(3, keys.FullCount);
        Assert.True(Match(keys, "first").Full);
        Assert.True(Match(keys, "second").Full);
        Assert.True(Match(keys, "x,long-secret").Full);
        Assert.False(Match(keys, "x").Full);
        Assert.False(Match(keys, "").Full);
    }

    [Fact]
    public void One_comma_separated_value_holds_several_keys()
    {
        var keys = Read(("Jobs:ApiKeys", "one, two,,three "));
        Assert.Equal(3, keys.FullCount);
        Assert.All(new[] { "one", "two", "three" }, k => Assert.Equal((true, false), Match(keys, k)));
    }

    [Fact]
    public void Read_only_keys_are_read_in_both_forms_and_are_not_full_keys()
    {
        var list = Read(("JOB_PROCESSOR_API_KEY", "full"), ("Jobs:Dashboard:ReadOnlyKeys:0", "look"), ("Jobs:Dashboard:ReadOnlyKeys:1", "peek"));
        Assert.Equal(1, list.FullCount);
        Assert.Equal(3, list.Count);
        Assert.Equal((false, true), Match(list, "look"));
        Assert.Equal((false, true), Match(list, "peek"));
        Assert.Equal((true, false), Match(list, "full"));

        var joined = Read(("Jobs:Dashboard:ReadOnlyKeys", "look,peek"), ("Jobs:ApiKeys", "look"));
        Assert.Equal((true, true), Match(joined, "look"));
        Assert.Equal((false, true), Match(joined, "peek"));
    }

    [Fact]
    public void Keys_added_in_code_join_the_configured_ones()
    {
        var keys = Read(("JOB_PROCESSOR_API_KEY", "configured")).With(["in-code ", " "], ["look-in-code"]);
        Assert.Equal(2, keys.FullCount);
        Assert.True(Match(keys, "configured").Full);
        Assert.True(Match(keys, "in-code").Full);
        Assert.Equal((false, true), Match(keys, "look-in-code"));
    }

    [Fact]
    public void The_API_accepts_the_configured_full_keys_and_those_added_in_code()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["JOB_PROCESSOR_API_KEY"] = "configured",
            ["Jobs:Dashboard:ReadOnlyKeys:0"] = "look",
        }).Build();
        var api = new LeoraJobsApiOptions();
        api.ApiKeys.Add("in-code");

        var keys = new ApiKeyRing(configuration).ApiKeys(api);

        Assert.Equal(2, keys.FullCount);
        Assert.True(Match(keys, "configured").Full);
        Assert.True(Match(keys, "in-code").Full);
        Assert.False(Match(keys, "look").Full);
    }

    [Fact]
    public void No_configuration_means_no_key()
    {
        Assert.Equal(0, new ApiKeyRing(null).Current.Count);
        Assert.Equal(0, Read().Count);
    }

    [Fact]
    public void The_ring_follows_configuration_reloads()
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["JOB_PROCESSOR_API_KEY"] = "old" });
        var ring = new ApiKeyRing(configuration);
        Assert.True(ring.Current.Match(ApiKeySet.Digest("old")).Full);
        Assert.Same(ring.Current, ring.Current);

        configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Jobs:ApiKeys:0"] = "new", ["JOB_PROCESSOR_API_KEY"] = "" });
        Assert.True(ring.Current.Match(ApiKeySet.Digest("new")).Full);
        Assert.False(ring.Current.Match(ApiKeySet.Digest("old")).Full);
    }
}
