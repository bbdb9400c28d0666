// The texts `edgeflow models quantize` calibrates a CLIP text tower on, and the held-out texts it
// checks the result with: short queries of the kind people type into a photo search (written for
// Edgeflow), in two disjoint sets.

enum CLIPCaptions {
    /// Calibration texts (48).
    static let calibration = [
        "a dog on a beach", "a red car parked in the street", "mountains at sunset",
        "a birthday cake with candles", "two cats sleeping on a sofa", "a child playing football",
        "snow covered trees", "a plate of pasta", "people dancing at a wedding", "an old castle on a hill",
        "a boat on a lake", "fireworks over the city", "a black and white portrait",
        "a bicycle leaning against a wall", "a cup of coffee on a table", "a bird on a branch",
        "my grandmother in the kitchen", "a crowded train station", "the view from an airplane window",
        "a tent in the forest", "waves crashing on rocks", "a christmas tree with lights",
        "a group photo of friends", "a horse in a field", "a bowl of fruit", "a rainy street at night",
        "kids on a playground", "a bridge over a river", "a selfie at the beach", "a field of sunflowers",
        "a dog wearing a hat", "a screenshot of a receipt", "a whiteboard with notes", "a lighthouse",
        "a desert road", "a bride and groom", "a pizza fresh from the oven", "a cathedral interior",
        "a frozen lake", "a baby's first steps", "a parking lot full of cars", "a garden with roses",
        "skiing down a slope", "a market stall with vegetables", "a concert stage with lights",
        "a cat looking out of the window", "an empty classroom", "a sunrise over the sea",
    ]

    /// Held-out texts (16), never used for calibration.
    static let heldOut = [
        "a man riding a horse", "the eiffel tower at night", "a yellow taxi", "a baby sleeping",
        "a forest in autumn", "a sailing ship in a storm", "a tabby cat", "sushi on a wooden board",
        "a family picnic in the park", "an airplane on the runway", "a snowman", "a library with tall shelves",
        "a person hiking in the mountains", "a plate of pancakes", "a city skyline", "a puppy in the grass",
    ]
}
