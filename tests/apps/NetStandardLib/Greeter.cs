namespace NetStandardLib
{
    public class Greeter
    {
        public string Greet(string name)
        {
            return "Hello, " + name + "!";
        }

        public static int Add(int a, int b)
        {
            return a + b;
        }
    }
}
