namespace SemanticRouter.Cli.Tests.Commands;

public class ServeCommandTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    public void IntraOpThreadsBelowOne_OneLineBadInput(string threads)
    {
        // Checked before the index is opened: the message is about the flag, not the missing index.
        var result = CliRunner.Run("serve", "--index", "/nonexistent/index", "--intra-op-threads", threads);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, "--intra-op-threads must be at least 1");
    }

    [Theory]
    [InlineData("--cache", "-1", "--cache must be 0 (no cache) or a positive number")]
    [InlineData("--batch-wait-ms", "1000", "--batch-wait-ms must be in 0..50, not 1000")]
    [InlineData("--batch-wait-ms", "-1", "--batch-wait-ms must be in 0..50, not -1")]
    public void EngineFlagsOutOfRange_OneLineBadInput_BeforeTheIndexIsOpened(string flag, string value, string message)
    {
        var result = CliRunner.Run("serve", "--index", "/nonexistent/index", flag, value);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, message);
    }
}
