//! "What am I looking at?": the short article below the playground, for a
//! student meeting it for the first time. Written for this page (its
//! controls, its colours, its extras); `hideText=true` hides it for
//! embedding.

use leptos::prelude::*;

/// The article; hidden while `hidden` is true.
#[component]
pub fn Article(hidden: Signal<bool>) -> impl IntoView {
    view! {
        <article class="article" data-testid="article" class:hidden=move || hidden.get()>
            <h2>"What am I looking at?"</h2>
            <p>
                "A small neural network is learning, live, to tell apart the two kinds of points in the "
                "square on the right. Every point has a position (x₁, x₂) and a label: blue for +1, orange "
                "for −1 (or a colour per class in the multi-class problems, and a value between −1 and 1 in "
                "regression). The network never sees the picture; it sees one point at a time, makes a guess, "
                "and nudges its numbers to make the next guess a little better."
            </p>

            <h3>"A neuron, and its little square"</h3>
            <p>
                "Each square in the middle is one neuron. A neuron multiplies each of its inputs by a weight, "
                "adds them up with its own bias, and passes the sum through an activation function such as "
                "tanh, which squashes any number into −1 … 1. Because the inputs come from the point's "
                "position, a neuron's output is a function over the whole plane, and its square draws exactly "
                "that: the plane from −6 to 6 on both axes, coloured by what the neuron says at each spot."
            </p>
            <p>
                "The first column is not neurons but features: ready-made functions of the position (x₁, x₂, "
                "their squares, their product, sines and cosines). Click one to feed it to the network or to "
                "take it away. Each later neuron mixes the squares of the column before it, so the shapes grow "
                "more complicated from left to right, and the last one, the output, is the network's answer — "
                "drawn large behind the data on the right. Hover over any square to see it large there."
            </p>

            <h3>"What the colours mean"</h3>
            <ul>
                <li>"In the squares and the output: blue is positive, orange is negative, and the pale grey "
                     "between them is close to 0. The stronger the colour, the surer the network."</li>
                <li>"On the lines between neurons (the weights): blue lines add, orange lines subtract, and "
                     "the thicker the line, the larger the weight. Hover over a line to read its weight, hover "
                     "over a neuron to read its bias, and click either (or tap, on a phone) to type a new value; "
                     "the network takes it at once."</li>
                <li>"The points: a white ring marks training points, a black ring test points (tick "
                     "“Show test data”). The network learns only from the training points; the test points "
                     "show whether what it learned holds for points it has never seen."</li>
            </ul>

            <h3>"The controls"</h3>
            <ul>
                <li><b>"Learning rate"</b>" is how big a step each correction takes. Too small and nothing "
                    "seems to happen; too large and the losses jump about or blow up (the page then pauses and "
                    "says so)."</li>
                <li><b>"Activation"</b>" is the squashing function. Tanh gives smooth curves, ReLU gives "
                    "straight edges and corners, linear gives only straight lines however many layers you "
                    "stack. Each hidden layer also has its own menu, under its + and − buttons."</li>
                <li><b>"Hidden layers and neurons"</b>" set how much the network can express. More is not "
                    "always better: a big network learns slowly and can memorise the noise."</li>
                <li><b>"Regularization"</b>" adds a cost for large weights, at the given rate: L2 keeps every "
                    "weight small, L1 pushes the unhelpful ones to exactly zero (watch lines fade away). It "
                    "fights overfitting, where the training loss keeps falling while the test loss rises."</li>
                <li><b>"Batch size"</b>" is how many points are seen before each correction; "<b>"noise"</b>
                    " blurs the classes into each other; the "<b>"ratio"</b>" decides how many points are kept "
                    "for training rather than testing."</li>
                <li><b>"Test and training loss"</b>" measure how wrong the network is (lower is better), "
                    "drawn over time in the little chart; the "<b>"confusion matrix"</b>" counts, for each true "
                    "class, which class the network chose, so the mistakes on the diagonal's sides show which "
                    "classes it mixes up."</li>
            </ul>

            <h3>"Things to try"</h3>
            <ul>
                <li>"Circle with no hidden layers and only x₁ and x₂: the output can only draw a straight "
                    "line, and a circle is not one. Now switch on x₁² and x₂² — a single neuron suffices."</li>
                <li>"XOR: the product x₁x₂ alone solves it. Without it, how few hidden neurons do you need?"</li>
                <li>"Spiral: with x₁ and x₂ alone it needs several layers of 8 and a lot of patience; turn on "
                    "sin x₁ and sin x₂ and it falls into place much sooner."</li>
                <li>"Set the learning rate to 3 with ReLU and press play: that is what diverging looks like. "
                    "Reset and try 0.03."</li>
                <li>"Overfitting: noise 50, training ratio 10 %, a big network. Watch the test loss climb away "
                    "from the training loss, then try L2 regularization at 0.01."</li>
                <li>"Paint your own points with “Click or drag on the output to …”, or upload a CSV, and see "
                    "whether the network can follow you."</li>
            </ul>
        </article>
    }
}
