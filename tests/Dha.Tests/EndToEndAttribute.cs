using Xunit.Abstractions;
using Xunit.Sdk;

namespace Dha.Tests;

/// <summary>
/// Marks a test class whose tests run whole searches (tens of seconds): it gets the trait <c>Category=EndToEnd</c>, so
/// <c>dotnet test Dha.sln --filter Category!=EndToEnd</c> is the fast inner loop and <c>dotnet test Dha.sln</c> runs all.
/// </summary>
[TraitDiscoverer("Dha.Tests.EndToEndDiscoverer", "Dha.Tests")]
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class EndToEndAttribute : Attribute, ITraitAttribute;

/// <summary>Gives xunit the trait of <see cref="EndToEndAttribute"/>.</summary>
public sealed class EndToEndDiscoverer : ITraitDiscoverer
{
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute) => [new("Category", "EndToEnd")];
}
