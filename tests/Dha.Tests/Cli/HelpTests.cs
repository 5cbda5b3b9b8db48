using Dha.Cli;

namespace Dha.Tests.Cli;

/// <summary><c>--help</c> of the tool and of each verb lists every option and exits 0.</summary>
public sealed class HelpTests
{
    [Theory]
    [InlineData("search", new[] { "--preset", "--data", "--mode", "--out", "--seed", "--time", "--config", "--set", "--resume", "--quiet" })]
    [InlineData("train", new[] { "--genotype", "--preset", "--data", "--out", "--seed", "--config", "--set", "--resume", "--quiet" })]
    [InlineData("evaluate", new[] { "<MODEL>", "--data" })]
    [InlineData("predict", new[] { "<MODEL>", "<IMAGE>" })]
    public void Help_of_a_verb_lists_every_option_and_exits_0(string verb, string[] names)
    {
        var result = DhaTool.Run(verb, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Contains($"dha {verb}", result.Output);
        foreach (var name in names)
        {
            Assert.Contains(name, result.Output);
        }
        // and every option the command defines, with its aliases, so a new option cannot be left out of the help
        var command = Program.CreateRootCommand().Subcommands.Single(c => c.Name == verb);
        foreach (var option in command.Options)
        {
            Assert.Contains(option.Name, result.Output);
            Assert.All(option.Aliases, alias => Assert.Contains(alias, result.Output));
            if (!string.IsNullOrEmpty(option.Description))
            {
                Assert.Contains(Squeeze(option.Description), Squeeze(result.Output));
            }
        }
    }

    // help may wrap long descriptions: compare with runs of white space made one space
    private static string Squeeze(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    [Fact]
    public void Help_of_dha_lists_every_verb_and_exits_0()
    {
        var result = DhaTool.Run("--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Contains("--version", result.Output);
        foreach (var verb in new[] { "search", "train", "evaluate", "predict", "datasets" })
        {
            Assert.Contains(result.OutputLines, line => line.TrimStart().StartsWith(verb, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("-?")]
    public void The_short_help_aliases_work_too(string alias)
    {
        Assert.Equal(DhaTool.Run("search", "--help").Output, DhaTool.Run("search", alias).Output);
    }
}
