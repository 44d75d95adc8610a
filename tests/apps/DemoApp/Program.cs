// The demo application: a tiny "shop" whose methods the demo's extension
// XML selects for instrumentation. Run it with `cargo run --release`.
namespace DemoApp;

public static class Program
{
    public static int Main()
    {
        Console.WriteLine($"DemoApp (pid {Environment.ProcessId}) on .NET {Environment.Version}");
        var shop = new Shop();
        shop.PlaceOrder("coffee", 2);
        shop.PlaceOrder("bagel", 1);
        Console.WriteLine($"Total items ordered: {shop.TotalItems()}");
        try
        {
            shop.PlaceOrder("unicorn", 1);
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"Refused: {e.Message}");
        }
        return 0;
    }
}

public class Shop
{
    private readonly Dictionary<string, int> _orders = new();

    public void PlaceOrder(string item, int quantity)
    {
        if (item == "unicorn")
        {
            throw new InvalidOperationException("unicorns are out of stock");
        }
        _orders[item] = _orders.GetValueOrDefault(item) + quantity;
        Console.WriteLine($"Ordered {quantity} x {item}");
    }

    public int TotalItems() => _orders.Values.Sum();
}
