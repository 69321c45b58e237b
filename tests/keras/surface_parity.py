"""Which parity test compares each Keras name nnlib supports with real Keras.

``test_surface_table.py`` checks that every name nnlib supports has an entry here and that the test
it names exists. One test often covers several names (all the initializers, every activation); the
entry says which test to read for that name. A name nnlib adds needs its parity test and its line.
"""

ACTIVATIONS = "test_parity.py::test_predictions_and_gradients_match_keras_for_every_activation"
LOSSES = "test_parity.py::test_loss_and_gradients_match_keras_for_every_loss"
INITIALIZERS = "test_parity_initializers.py::test_configs_and_names_are_keras"
INITIALIZER_VALUES = "test_parity_initializers.py::test_random_initializers_draw_from_keras_distribution"
METRICS = "test_parity_training.py::test_metric_objects_are_stateful_like_keras"
OPTIMIZERS = "test_parity_optimizers.py::test_optimizer_steps_match_keras"
FIT = "test_parity.py::test_five_epochs_with_validation_split_match_keras"
SAVING = "test_saving.py::test_the_model_methods_cross_both_ways"
SNIPPETS = "test_snippets.py::test_snippet_runs_in_both_libraries"

PARITY = {
    "layers": {
        "Dense": ACTIVATIONS, "Input": ACTIVATIONS, "InputLayer": SAVING,
        "Layer": "test_snippets.py::test_a_custom_layer_trains_like_keras",
        "Activation": "test_parity_layers.py::test_activation_layers_match_keras",
        "Softmax": "test_parity_layers.py::test_activation_layers_match_keras",
        "Add": "test_saving.py::test_nnlib_orders_a_functional_graph_as_keras_does",
        "Concatenate": "test_saving.py::test_nnlib_orders_a_functional_graph_as_keras_does",
        "Dropout": "test_parity_layers.py::test_dropout_matches_keras_outside_training_and_in_expectation",
        "Flatten": "test_parity_layers.py::test_flatten_matches_keras",
        "Normalization": "test_parity_layers.py::test_normalization_adapt_matches_keras",
        **{name: "test_parity_layers_extra.py::test_activation_layers_match_keras_forward_and_backward"
           for name in ["ReLU", "LeakyReLU", "ELU", "PReLU", "Identity"]},
        "BatchNormalization": "test_parity_batch_normalization.py::test_inference_and_a_training_step_match_keras",
        **{name: "test_parity_layers_extra.py::test_noise_layers_pass_through_at_inference_and_match_keras_noise_in_training"
           for name in ["GaussianNoise", "GaussianDropout"]},
        "AlphaDropout": "test_parity_layers_extra.py::test_alpha_dropout_gives_keras_two_values_and_passes_gradients_of_kept_entries",
        "Rescaling": "test_parity_layers_extra.py::test_activation_layers_match_keras_forward_and_backward",
        **{name: "test_parity_layers_extra.py::test_merge_layers_match_keras_forward_backward_and_in_files"
           for name in ["Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot"]},
        **{name: "test_parity_layers.py::test_serialize_and_deserialize_layers_as_keras_both_ways"
           for name in ["serialize", "deserialize"]},
        **{name: "test_parity_layers_extra.py::test_lower_case_merge_functions_build_the_same_models_and_compute_on_arrays"
           for name in ["add", "concatenate", "subtract", "multiply", "average", "maximum",
                        "minimum", "dot"]},
    },
    "activations": {**{name: ACTIVATIONS for name in
                       ["hard_sigmoid", "linear", "relu", "sigmoid", "silu", "softmax", "tanh",
                        "get"]},
                    **{name: "test_parity_activations.py::test_values_and_derivatives_match_keras"
                       for name in ["celu", "elu", "exponential", "gelu", "hard_shrink",
                                    "hard_silu", "hard_swish", "hard_tanh", "leaky_relu",
                                    "log_sigmoid", "mish", "relu6", "selu", "soft_shrink",
                                    "softplus", "softsign", "sparse_plus", "sparse_sigmoid",
                                    "squareplus", "swish", "tanh_shrink", "threshold"]},
                    "log_softmax": "test_parity_activations.py::test_log_softmax_and_its_gradient_match_keras",
                    "serialize": "test_parity_activations.py::test_serialize_and_deserialize_as_keras",
                    "deserialize": "test_parity_activations.py::test_serialize_and_deserialize_as_keras"},
    "initializers": {**{name: INITIALIZERS for name in
                        ["Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform",
                         "Identity", "IdentityInitializer", "Initializer", "LecunNormal",
                         "LecunUniform", "Ones", "Orthogonal", "OrthogonalInitializer",
                         "RandomNormal", "RandomUniform", "TruncatedNormal", "VarianceScaling",
                         "Zeros", "get", "serialize", "deserialize"]},
                     **{name: INITIALIZER_VALUES for name in
                        ["constant", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
                         "identity", "lecun_normal", "lecun_uniform", "ones", "orthogonal",
                         "random_normal", "random_uniform", "truncated_normal",
                         "variance_scaling", "zeros"]}},
    "optimizers": {**{name: "test_parity_optimizers_extra.py::test_steps_and_state_match_keras"
                      for name in ["Nadam", "Adamax", "AdamW", "Adadelta", "Lion", "Ftrl",
                                   "Adafactor", "Lamb"]},
                   "Adagrad": OPTIMIZERS, "Adam": OPTIMIZERS, "RMSprop": OPTIMIZERS,
                   "SGD": OPTIMIZERS, "Optimizer": OPTIMIZERS,
                   "get": "test_parity_optimizers.py::test_names_resolve_to_the_same_defaults_as_keras",
                   "schedules": "test_parity_optimizers.py::test_schedule_values_match_keras"},
    "optimizers.schedules": {
        "ExponentialDecay": "test_parity_optimizers.py::test_schedule_values_match_keras",
        **{name: "test_parity_optimizers.py::test_every_schedule_gives_keras_rates_and_config"
           for name in ["CosineDecay", "CosineDecayRestarts", "InverseTimeDecay",
                        "PiecewiseConstantDecay", "PolynomialDecay"]},
        "LearningRateSchedule": "test_parity_optimizers.py::test_schedule_values_match_keras"},
    "losses": {**{name: LOSSES for name in
                  ["BinaryCrossentropy", "CategoricalCrossentropy", "Loss", "MeanAbsoluteError",
                   "MeanSquaredError", "SparseCategoricalCrossentropy", "binary_crossentropy",
                   "categorical_crossentropy", "sparse_categorical_crossentropy", "get"]},
               **{name: "test_parity_losses_extra.py::test_values_and_gradients_match_keras"
                  for name in ["Hinge", "SquaredHinge", "CategoricalHinge", "Huber", "LogCosh",
                               "KLDivergence", "Poisson", "CosineSimilarity",
                               "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
                               "hinge", "squared_hinge", "categorical_hinge", "huber", "log_cosh",
                               "kl_divergence", "poisson", "cosine_similarity",
                               "mean_absolute_percentage_error",
                               "mean_squared_logarithmic_error"]},
               **{name: "test_parity_losses_extra.py::test_values_and_gradients_match_keras"
                  for name in ["BinaryFocalCrossentropy", "CategoricalFocalCrossentropy",
                               "CategoricalGeneralizedCrossEntropy", "binary_focal_crossentropy",
                               "categorical_focal_crossentropy",
                               "categorical_generalized_cross_entropy"]},
               **{name: "test_parity_losses_extra.py::test_mean_squared_and_absolute_error_functions_give_per_sample_values_as_keras"
                  for name in ["mean_squared_error", "mean_absolute_error"]}},
    "metrics": {**{name: METRICS for name in
                   ["AUC", "BinaryAccuracy", "CategoricalAccuracy", "MeanAbsoluteError",
                    "MeanMetricWrapper", "MeanSquaredError", "Metric", "Precision", "Recall",
                    "SparseCategoricalAccuracy"]},
                **{name: "test_parity_metrics_extra.py::test_running_results_match_keras"
                   for name in ["Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence",
                                "LogCoshError", "Poisson", "MeanAbsolutePercentageError",
                                "MeanSquaredLogarithmicError", "CosineSimilarity", "Accuracy",
                                "BinaryCrossentropy", "CategoricalCrossentropy",
                                "RootMeanSquaredError", "TruePositives", "FalsePositives",
                                "TrueNegatives", "FalseNegatives"]},
                **{name: "test_parity_metrics_extra.py::test_mean_and_sum_match_keras"
                   for name in ["Mean", "Sum"]},
                **{name: "test_parity_metrics_extra.py::test_metric_functions_give_keras_per_sample_values"
                   for name in ["hinge", "squared_hinge", "categorical_hinge", "kl_divergence",
                                "log_cosh", "poisson", "mean_absolute_percentage_error",
                                "mean_squared_logarithmic_error", "mean_squared_error",
                                "mean_absolute_error"]},
                **{name: "test_parity_metrics_extra.py::test_metrics_with_settings_match_keras"
                   for name in ["TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
                                "PearsonCorrelation", "ConcordanceCorrelation",
                                "SparseCategoricalCrossentropy", "F1Score", "FBetaScore",
                                "R2Score", "PrecisionAtRecall", "RecallAtPrecision",
                                "SensitivityAtSpecificity", "SpecificityAtSensitivity"]},
                **{name: "test_parity_metrics_extra.py::test_more_metric_functions_give_keras_per_sample_values"
                   for name in ["binary_crossentropy", "categorical_crossentropy",
                                "sparse_categorical_crossentropy", "binary_focal_crossentropy",
                                "categorical_focal_crossentropy", "huber", "pearson_correlation",
                                "concordance_correlation", "top_k_categorical_accuracy",
                                "sparse_top_k_categorical_accuracy"]},
                **{name: "test_parity.py::test_accuracy_is_resolved_from_shapes_like_keras"
                   for name in ["binary_accuracy", "categorical_accuracy",
                                "sparse_categorical_accuracy", "get"]}},
    "callbacks": {
        "Callback": SNIPPETS, "CallbackList": SNIPPETS, "History": FIT, "LambdaCallback": SNIPPETS,
        "EarlyStopping": "test_parity_training.py::test_early_stopping_stops_at_the_same_epoch_and_restores_the_same_weights",
        "ModelCheckpoint": "test_parity_training.py::test_model_checkpoint_saves_the_same_epochs_as_keras_and_keras_opens_them",
        "TerminateOnNaN": SNIPPETS,
        **{name: "test_snippets.py::test_snippet_runs_in_both_libraries"
           for name in ["LearningRateScheduler", "ReduceLROnPlateau", "CSVLogger"]}},
    "regularizers": {
        **{name: "test_parity_regularizers.py::test_penalties_match_keras"
           for name in ["L1", "L2", "L1L2", "Regularizer", "l1_l2"]},
        **{name: "test_parity_regularizers.py::test_names_resolve_as_keras_resolves_them"
           for name in ["l1", "l2", "get"]},
        **{name: "test_parity_regularizers.py::test_keras_files_keep_the_regularizers_both_ways"
           for name in ["serialize", "deserialize"]}},
    "utils": {"plot_model": "test_parity_model_methods.py::test_plot_model_draws_without_graphviz_where_keras_needs_pydot",
              "set_random_seed": SNIPPETS,
              "Progbar": "test_parity_utils.py::test_progbar_shows_keras_values_in_keras_lines",
              "normalize": "test_parity_utils.py::test_normalize_matches_keras",
              "to_categorical": "test_snippets.py::test_to_categorical_matches_keras"},
    "models": {
        "clone_model": "test_parity_models.py::test_clone_model_has_the_same_config_fresh_weights_and_compile_settings",
        "Model": "test_parity_models.py::test_a_nested_model_is_one_layer_of_the_outer_as_in_keras",
        "Sequential": SNIPPETS,
        **{name: SAVING for name in ["load_model", "save_model"]},
        "model_from_json": "test_parity_model_methods.py::test_architecture_crosses_as_json_and_config",
    },
    "saving": {name: SAVING for name in ["load_model", "save_model", "load_weights",
                                         "save_weights"]},
    "Model": {
        **{name: FIT for name in ["compile", "fit", "evaluate", "predict", "metrics",
                                  "train_step"]},
        **{name: SAVING for name in ["save", "save_weights", "load_weights", "get_weights",
                                     "set_weights"]},
        **{name: "test_parity_layers.py::test_summary_prints_what_keras_prints"
           for name in ["summary", "count_params", "layers", "weights", "trainable_weights",
                        "non_trainable_weights", "get_layer"]},
        "trainable": "test_parity_layers.py::test_a_frozen_layer_trains_like_keras",
        "build": SNIPPETS, "input": SNIPPETS, "output": SNIPPETS,
        **{name: "test_parity_model_methods.py::test_train_test_and_predict_on_batch_match_keras"
           for name in ["train_on_batch", "test_on_batch", "predict_on_batch", "metrics_names",
                        "reset_metrics", "call", "compute_output_shape"]},
        **{name: "test_parity_model_methods.py::test_architecture_crosses_as_json_and_config"
           for name in ["get_config", "from_config", "to_json"]},
        "losses": "test_parity_regularizers.py::test_loss_and_gradients_include_the_penalties_as_keras",
        "get_compile_config": "test_parity_model_methods.py::test_compile_config_names_what_keras_names",
        "compile_from_config": "test_parity_model_methods.py::test_compile_from_config_compiles_as_the_other_library_did",
        **{name: "test_parity_model_methods.py::test_build_config_rebuilds_an_unbuilt_model_as_keras"
           for name in ["get_build_config", "build_from_config"]},
        **{name: "test_parity_model_methods.py::test_compute_loss_and_metrics_match_keras"
           for name in ["compute_loss", "compute_metrics", "get_metrics_result"]},
    },
}
